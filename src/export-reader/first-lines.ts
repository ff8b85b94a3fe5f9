/**
 * The line each key was first seen on: the duplicate-id check of accounts.csv and contacts.csv. An open-addressing
 * table of typed arrays instead of a Map: at a million accounts the Map's growth and the garbage it leaves took
 * ~0.3 s more of the main thread, which reads accounts.csv while the reader threads want both cores (issue 15).
 * IdKeys (src/export-reader/id-keys) is its twin for ids still in the cell's bytes; fed decoded strings, as here, it
 * was slower (each key encoded back to bytes: reading a million accounts took 2.9–3.9 s against 2.5–2.6 s).
 */
export class FirstLines {
  private mask = 1023;
  private table = new Int32Array(this.mask + 1); // entry index + 1; 0: empty
  private hashes = new Int32Array(512);
  private readonly keys: string[] = [];
  private readonly lines: number[] = [];

  /** The line `key` was first seen on; or, the first time, -1 (and `line` is kept as its first). */
  seen(key: string, line: number): number {
    const h = hash(key);
    const t = this.table;
    const mask = this.mask;
    let p = h & mask;
    for (let e = t[p]; e !== 0; p = (p + 1) & mask, e = t[p])
      if (this.hashes[e - 1] === h && this.keys[e - 1] === key) return this.lines[e - 1];
    const n = this.keys.length;
    this.keys.push(key);
    this.lines.push(line);
    if (n === this.hashes.length) {
      const more = new Int32Array(n * 2);
      more.set(this.hashes);
      this.hashes = more;
    }
    this.hashes[n] = h;
    if ((n + 1) * 2 > mask + 1) this.grow();
    else t[p] = n + 1;
    return -1;
  }

  /** Doubles the table (at most half full, so probes stay short). */
  private grow(): void {
    const mask = this.mask * 2 + 1;
    const t = new Int32Array(mask + 1);
    for (let e = 0; e < this.keys.length; e++) {
      let p = this.hashes[e] & mask;
      while (t[p] !== 0) p = (p + 1) & mask;
      t[p] = e + 1;
    }
    this.table = t;
    this.mask = mask;
  }
}

/** FNV-1a over the UTF-16 code units, with a final mix of the high bits into the low ones the table uses. */
function hash(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h ^ (h >>> 15);
}
