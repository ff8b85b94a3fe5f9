import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";

type Generator = ReturnType<typeof xoroshiro128plusFromState>;

/** splitmix32 step: spreads a small seed over the whole xoroshiro state, so seeds 1 and 2 are unrelated streams. */
function splitmix32(state: number): [value: number, next: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [(z ^ (z >>> 16)) | 0, next];
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const hex32 = (v: number): string =>
  HEX[(v >>> 24) & 255] + HEX[(v >>> 16) & 255] + HEX[(v >>> 8) & 255] + HEX[v & 255];

/** The sample's one source of randomness: pure-rand's xoroshiro128+ plus the distributions the generator needs. */
export class Rng {
  private readonly gen: Generator;
  private spareNormal: number | undefined;

  /** `seed` is an unsigned 32-bit integer; each seed gives its own stream. */
  constructor(seed: number) {
    const state: number[] = [];
    let s = seed | 0;
    for (let i = 0; i < 4; i++) {
      const [v, next] = splitmix32(s);
      state.push(v);
      s = next;
    }
    if (!state.some((v) => v !== 0)) state[0] = 1; // the all-zero state is a fixed point of xoroshiro
    this.gen = xoroshiro128plusFromState(state);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return uniformFloat64(this.gen);
  }

  /** Uniform integer in [from, to] (both included). */
  int(from: number, to: number): number {
    return uniformInt(this.gen, from, to);
  }

  uniform(from: number, to: number): number {
    return from + (to - from) * this.float();
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Standard normal (Marsaglia polar method; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const v = this.spareNormal;
      this.spareNormal = undefined;
      return v;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.float() - 1;
      v = 2 * this.float() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * m;
    return u * m;
  }

  /** Lognormal factor with median 1 (multiply by the median you want). */
  lognormal(sigma: number): number {
    return Math.exp(sigma * this.normal());
  }

  /** Exponential waiting time for events at `rate` per unit. */
  exponential(rate: number): number {
    return -Math.log(1 - this.float()) / rate;
  }

  /** Erlang waiting time: `shape` exponential stages, mean 1 / rate. Shape > 1 makes arrivals more regular. */
  erlang(shape: number, rate: number): number {
    let product = 1;
    for (let i = 0; i < shape; i++) product *= 1 - this.float();
    return -Math.log(product) / (shape * rate);
  }

  /** Picks one of `items` with the given relative `weights` (same length, positive total). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.float() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i];
      if (r < 0) return items[i];
    }
    return items[items.length - 1];
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  /** A random (version 4, RFC 9562 variant) GUID in Dataverse's lowercase 8-4-4-4-12 form. */
  guid(): string {
    const a = this.gen.next();
    const b = this.gen.next();
    const c = this.gen.next();
    const d = this.gen.next();
    const h = hex32(b);
    const v = hex32(c);
    return (
      hex32(a) +
      "-" +
      h.slice(0, 4) +
      "-4" +
      h.slice(5, 8) +
      "-" +
      HEX[0x80 | ((c >>> 24) & 0x3f)] +
      v.slice(2, 4) +
      "-" +
      v.slice(4, 8) +
      hex32(d)
    );
  }
}
