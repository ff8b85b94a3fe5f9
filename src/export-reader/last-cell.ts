/**
 * The last cell of a column whose cells mostly repeat the row before's (an account's rows are listed together): equal
 * bytes give the value already made from them, without decoding the text again. Holds a copy of the bytes, since the
 * reader's buffer is refilled under it.
 */
export class LastCell {
  private bytes = new Uint8Array(64);
  private length = -1;
  value: unknown = undefined;

  same(buf: Uint8Array, s: number, e: number): boolean {
    const n = e - s;
    if (n !== this.length) return false;
    const b = this.bytes;
    for (let k = 0; k < n; k++) if (b[k] !== buf[s + k]) return false;
    return true;
  }

  set(buf: Uint8Array, s: number, e: number, value: unknown): void {
    const n = e - s;
    if (n > this.bytes.length) this.bytes = new Uint8Array(n * 2);
    const b = this.bytes;
    for (let k = 0; k < n; k++) b[k] = buf[s + k];
    this.length = n;
    this.value = value;
  }
}
