/**
 * Row ids numbered in first-seen order (0, 1, 2, …), matched case-insensitively: the Synapse reader's "latest version
 * of each row" table (src/export-reader/synapse). Ids are never kept as strings: at 100k accounts a Synapse folder has
 * 2.3 M row ids, and decoding, lower-casing and keeping each as a string cost more than reading its rows (hashing the
 * strings, and the garbage collector walking millions of them).
 *
 * A key stands for an id's lower-cased text. Dataverse ids are GUIDs: one in the canonical 8-4-4-4-12 form is kept as
 * its 128 bits (hex digits read case-insensitively, which is what lower-casing does to them), never as bytes to hash
 * and compare (1.43 M invoice ids at 100k: 1.0–1.3 s before, 0.5–0.7 s so). Any other id is kept as its
 * lower-cased UTF-8 bytes: ASCII letters folded byte by byte, and an id with any other character lower-cased as a
 * string first (String.prototype.toLowerCase, which folds ASCII the same way). Two ids get one key exactly when their
 * lower-cased texts are equal (test/export-reader/id-keys.test.ts checks it against a Map).
 */
export class IdKeys {
  private count = 0;
  private readonly guids: GuidTable;
  private readonly others = new ByteTable();

  /** `expected`: about how many ids will come (sized up front, so the tables need not grow and rehash). */
  constructor(expected = 1024) {
    this.guids = new GuidTable(expected);
  }

  get size(): number {
    return this.count;
  }

  /** The key of the id in `buf[s, e)`, a new one (= size before the call) the first time it is seen. */
  ofBytes(buf: Uint8Array, s: number, e: number): number {
    // A GUID's hex digits are read in either case, so its bytes need no folding first.
    const key = e - s === 36 ? this.guids.find(buf, s, this.count) : -1;
    if (key >= 0) return this.counted(key);
    for (let i = s; i < e; i++)
      if (buf[i] >= 0x80) return this.ofString(Buffer.from(buf.subarray(s, e)).toString("utf8"));
    return this.counted(this.others.find(buf, s, e, this.count));
  }

  /** The key of `id` (a decoded cell: quoted, or not ASCII). */
  ofString(id: string): number {
    const b = Buffer.from(id.toLowerCase(), "utf8");
    const key = b.length === 36 ? this.guids.find(b, 0, this.count) : -1;
    return this.counted(key >= 0 ? key : this.others.find(b, 0, b.length, this.count));
  }

  /** `key` from a table asked with `next` = size: a new key when it equals size. */
  private counted(key: number): number {
    if (key === this.count) this.count++;
    return key;
  }
}

/** Hex digit values by byte (either case); -1 for any other byte. */
const HEX = new Int8Array(256).fill(-1);
for (let d = 0; d < 10; d++) HEX[0x30 + d] = d;
for (let d = 0; d < 6; d++) HEX[0x41 + d] = HEX[0x61 + d] = 10 + d;

/** `n` hex digits at buf[i…i+n) as an unsigned number; -1 if a byte is not a hex digit. */
function hex(buf: Uint8Array, i: number, n: number): number {
  let v = 0;
  let bad = 0;
  for (let k = i; k < i + n; k++) {
    const d = HEX[buf[k]];
    bad |= d;
    v = (v << 4) | (d & 15);
  }
  return bad < 0 ? -1 : v >>> 0;
}

const DASH = 0x2d;

/**
 * GUIDs in canonical form (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) to keys: open addressing over 8-byte entries (the
 * hash and key + 1), the GUIDs' words stored by key. Most look-ups are of new ids and touch one entry; the table is
 * small for its ids (16 MB at 100k invoices, against 42 MB with the words in the entries), so fewer of them miss the
 * caches and the TLB, which is what a look-up costs.
 */
class GuidTable {
  private mask: number;
  private entries: Int32Array; // per slot: hash, key + 1 (0: empty)
  private words: Int32Array; // per key it holds: four words (keys it does not hold stay zero)
  private used = 0;

  constructor(expected: number) {
    // Room for `expected` at most 3/4 full; it grows past 2/3, so linear probes stay short.
    this.mask = (1 << Math.ceil(Math.log2(Math.max(1024, (expected * 4) / 3)))) - 1;
    this.entries = new Int32Array((this.mask + 1) * 2);
    this.words = new Int32Array(Math.max(1024, expected) * 4);
  }

  /** The key of the GUID in buf[s, s + 36), `next` if it is new (then kept as `next`); -1 if it is not a GUID. */
  find(buf: Uint8Array, s: number, next: number): number {
    if (buf[s + 8] !== DASH || buf[s + 13] !== DASH || buf[s + 18] !== DASH || buf[s + 23] !== DASH) return -1;
    const a0 = hex(buf, s, 8);
    const b0 = hex(buf, s + 9, 4);
    const b1 = hex(buf, s + 14, 4);
    const c0 = hex(buf, s + 19, 4);
    const c1 = hex(buf, s + 24, 4);
    const d0 = hex(buf, s + 28, 8);
    if (a0 < 0 || b0 < 0 || b1 < 0 || c0 < 0 || c1 < 0 || d0 < 0) return -1;
    const a = a0 | 0;
    const b = (b0 << 16) | b1;
    const c = (c0 << 16) | c1;
    const d = d0 | 0;
    const h = guidHash(a, b, c, d);
    const t = this.entries;
    const mask = this.mask;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const k = t[2 * p + 1];
      if (k === 0) {
        t[2 * p] = h;
        t[2 * p + 1] = next + 1;
        this.keep(next, a, b, c, d);
        if (++this.used * 3 > (mask + 1) * 2) this.grow();
        return next;
      }
      if (t[2 * p] === h) {
        const w = this.words;
        const at = 4 * (k - 1);
        if (w[at] === a && w[at + 1] === b && w[at + 2] === c && w[at + 3] === d) return k - 1;
      }
    }
  }

  private keep(key: number, a: number, b: number, c: number, d: number): void {
    if (4 * key + 4 > this.words.length) {
      const more = new Int32Array(Math.max(this.words.length * 2, 4 * key + 4));
      more.set(this.words);
      this.words = more;
    }
    const w = this.words;
    w[4 * key] = a;
    w[4 * key + 1] = b;
    w[4 * key + 2] = c;
    w[4 * key + 3] = d;
  }

  private grow(): void {
    const old = this.entries;
    const mask = this.mask * 2 + 1;
    const t = new Int32Array((mask + 1) * 2);
    for (let from = 0; from < old.length; from += 2) {
      if (old[from + 1] === 0) continue;
      let p = old[from] & mask;
      while (t[2 * p + 1] !== 0) p = (p + 1) & mask;
      t[2 * p] = old[from];
      t[2 * p + 1] = old[from + 1];
    }
    this.entries = t;
    this.mask = mask;
  }
}

function guidHash(a: number, b: number, c: number, d: number): number {
  const h = Math.imul(a ^ Math.imul(b, 0x85ebca6b) ^ Math.imul(c, 0xc2b2ae35) ^ Math.imul(d, 0x27d4eb2f), 0x9e3779b1);
  return h ^ (h >>> 15);
}

/** Any other id, as its folded bytes in one growing buffer: open addressing over entry numbers. */
class ByteTable {
  private bytes = new Uint8Array(1 << 12);
  private used = 0;
  private starts = new Int32Array(256);
  private ends = new Int32Array(256);
  private hashes = new Int32Array(256);
  private keys = new Int32Array(256);
  private count = 0;
  private mask = 511;
  private table = new Int32Array(this.mask + 1); // entry + 1; 0: empty

  /** The key of the (ASCII) id in buf[s, e), `next` if it is new (then kept as `next`). */
  find(buf: Uint8Array, s: number, e: number, next: number): number {
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
      if (this.hashes[k - 1] === h && this.equal(k - 1, buf, s, e)) return this.keys[k - 1];
    this.add(buf, s, e, h, p, next);
    return next;
  }

  private equal(entry: number, buf: Uint8Array, s: number, e: number): boolean {
    const a = this.starts[entry];
    if (this.ends[entry] - a !== e - s) return false;
    const b = this.bytes;
    for (let i = 0; i < e - s; i++) if (b[a + i] !== fold(buf[s + i])) return false;
    return true;
  }

  private add(buf: Uint8Array, s: number, e: number, h: number, p: number, key: number): void {
    const entry = this.count++;
    if (entry === this.starts.length) {
      this.starts = grown(this.starts);
      this.ends = grown(this.ends);
      this.hashes = grown(this.hashes);
      this.keys = grown(this.keys);
    }
    if (this.used + (e - s) > this.bytes.length) {
      const more = new Uint8Array(Math.max(this.bytes.length * 2, this.used + (e - s)));
      more.set(this.bytes.subarray(0, this.used));
      this.bytes = more;
    }
    this.starts[entry] = this.used;
    for (let i = s; i < e; i++) this.bytes[this.used++] = fold(buf[i]);
    this.ends[entry] = this.used;
    this.hashes[entry] = h;
    this.keys[entry] = key;
    if (this.count * 2 > this.mask + 1) this.rehash();
    else this.table[p] = entry + 1;
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
