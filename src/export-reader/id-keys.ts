/**
 * Row ids numbered in first-seen order (0, 1, 2, …), matched case-insensitively: the Synapse reader's "latest version
 * of each row" table (src/export-reader/synapse). Ids are kept as bytes in one growing buffer, not as strings: at 100k
 * accounts a Synapse folder has 2.3 M row ids, and decoding, lower-casing and keeping each as a string cost more than
 * reading its rows (hashing the strings, and the garbage collector walking millions of them).
 *
 * The key of an id is its lower-cased UTF-8 bytes: ASCII letters are folded byte by byte, and an id with any other
 * character is lower-cased as a string first (String.prototype.toLowerCase, which folds ASCII the same way), so both
 * paths give equal ids equal keys.
 */
export class IdKeys {
  private bytes: Uint8Array;
  private used = 0;
  private starts: Int32Array;
  private ends: Int32Array;
  private hashes: Int32Array;
  private count = 0;
  private mask: number;
  private table: Int32Array; // key + 1; 0: empty

  /** `expected`: about how many ids will come (sized up front, so the tables need not grow and rehash). */
  constructor(expected = 1024) {
    const keys = Math.max(1024, expected);
    this.mask = (1 << Math.ceil(Math.log2(keys * 2))) - 1;
    this.table = new Int32Array(this.mask + 1);
    this.starts = new Int32Array(keys);
    this.ends = new Int32Array(keys);
    this.hashes = new Int32Array(keys);
    this.bytes = new Uint8Array(Math.min(keys * 40, 1 << 20));
  }

  get size(): number {
    return this.count;
  }

  /** The key of the id in `buf[s, e)`, a new one (= size before the call) the first time it is seen. */
  ofBytes(buf: Uint8Array, s: number, e: number): number {
    for (let i = s; i < e; i++)
      if (buf[i] >= 0x80) return this.ofString(Buffer.from(buf.subarray(s, e)).toString("utf8"));
    return this.find(buf, s, e);
  }

  /** The key of `id` (a decoded cell: quoted, or not ASCII). */
  ofString(id: string): number {
    const b = Buffer.from(id.toLowerCase(), "utf8");
    return this.find(b, 0, b.length);
  }

  private find(buf: Uint8Array, s: number, e: number): number {
    // FNV-1a over 4 bytes at a time, each byte OR 0x20: equal ids under fold() hash alike (A–Z and a–z give the same
    // byte); the few other bytes it merges (@ and `, …) are told apart by equal().
    let h = 0x811c9dc5 | 0;
    let i = s;
    for (; i + 4 <= e; i += 4)
      h = Math.imul(
        h ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24) | 0x20202020),
        0x01000193,
      );
    for (; i < e; i++) h = Math.imul(h ^ (buf[i] | 0x20), 0x01000193);
    h ^= h >>> 15;
    const t = this.table;
    const mask = this.mask;
    let p = h & mask;
    for (let k = t[p]; k !== 0; p = (p + 1) & mask, k = t[p])
      if (this.hashes[k - 1] === h && this.equal(k - 1, buf, s, e)) return k - 1;
    return this.add(buf, s, e, h, p);
  }

  private equal(key: number, buf: Uint8Array, s: number, e: number): boolean {
    const a = this.starts[key];
    if (this.ends[key] - a !== e - s) return false;
    const b = this.bytes;
    // Stored bytes are folded; a cell's usually are already (Synapse writes lower-case GUIDs).
    for (let i = 0; i < e - s; i++) {
      const c = buf[s + i];
      if (b[a + i] !== c && b[a + i] !== fold(c)) return false;
    }
    return true;
  }

  private add(buf: Uint8Array, s: number, e: number, h: number, p: number): number {
    const key = this.count++;
    if (key === this.starts.length) {
      this.starts = grown(this.starts);
      this.ends = grown(this.ends);
      this.hashes = grown(this.hashes);
    }
    if (this.used + (e - s) > this.bytes.length) {
      const more = new Uint8Array(Math.max(this.bytes.length * 2, this.used + (e - s)));
      more.set(this.bytes.subarray(0, this.used));
      this.bytes = more;
    }
    this.starts[key] = this.used;
    for (let i = s; i < e; i++) this.bytes[this.used++] = fold(buf[i]);
    this.ends[key] = this.used;
    this.hashes[key] = h;
    if (this.count * 2 > this.mask + 1) this.rehash();
    else this.table[p] = key + 1;
    return key;
  }

  /** Doubles the table (at most half full, so probes stay short). */
  private rehash(): void {
    const mask = this.mask * 2 + 1;
    const t = new Int32Array(mask + 1);
    for (let k = 0; k < this.count; k++) {
      let p = this.hashes[k] & mask;
      while (t[p] !== 0) p = (p + 1) & mask;
      t[p] = k + 1;
    }
    this.table = t;
    this.mask = mask;
  }
}

/** ASCII A–Z to a–z; every other byte as it is. */
const fold = (b: number): number => (b >= 0x41 && b <= 0x5a ? b | 0x20 : b);

function grown(a: Int32Array): Int32Array<ArrayBuffer> {
  const more = new Int32Array(a.length * 2);
  more.set(a);
  return more;
}
