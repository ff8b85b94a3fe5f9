import { once } from "node:events";
import { createWriteStream, promises as fsp, type WriteStream } from "node:fs";
import path from "node:path";

export { csvField } from "../export-reader/csv-field";

/** RFC 4180 record separator, as in the other export folders of the project. */
export const EOL = "\r\n";

const CHUNK_CHARS = 1 << 16;

/**
 * Buffered writer for one CSV file under a temporary name. Rows are joined into ~64 KiB chunks before they reach the
 * stream; `pressured` says the stream asked us to wait, and the producer awaits `drain()` before producing more,
 * so memory stays bounded however many rows are written.
 */
export class CsvFileWriter {
  readonly tempPath: string;
  rows = 0;
  private buf = "";
  private readonly stream: WriteStream;
  /** Set while the stream's buffer is full; subscribed at the moment `write` says so, so no "drain" is missed. */
  private drained: Promise<void> | undefined;
  private error: Error | undefined;

  constructor(
    readonly finalPath: string,
    tempSuffix: string,
    header: readonly string[],
  ) {
    this.tempPath = path.join(path.dirname(finalPath), `.${path.basename(finalPath)}.${tempSuffix}.tmp`);
    this.stream = createWriteStream(this.tempPath, { flags: "wx", highWaterMark: 1 << 20 });
    this.stream.on("error", (err) => {
      this.error ??= err;
    });
    this.buf = header.join(",") + EOL;
  }

  /** Resolves once the file is open; rejects with the reason it cannot be created. */
  async opened(): Promise<void> {
    if (this.stream.pending) await once(this.stream, "ready");
    this.throwIfFailed();
  }

  /** Appends one record that the caller has already joined (fields quoted where needed, ending in EOL). */
  line(record: string): void {
    this.buf += record;
    this.rows++;
    if (this.buf.length >= CHUNK_CHARS) this.flush();
  }

  get pressured(): boolean {
    return this.drained !== undefined || this.error !== undefined;
  }

  async drain(): Promise<void> {
    this.throwIfFailed();
    if (this.drained) await this.drained;
  }

  /** Writes what is buffered and closes the file (still under its temporary name). */
  async close(): Promise<void> {
    this.flush();
    this.throwIfFailed();
    this.stream.end();
    await once(this.stream, "close");
    this.throwIfFailed();
  }

  /** Closes the stream without caring how, then removes the temporary file. */
  async discard(): Promise<void> {
    if (!this.stream.closed) {
      this.stream.destroy();
      await once(this.stream, "close").catch(() => undefined);
    }
    await fsp.rm(this.tempPath, { force: true });
  }

  private flush(): void {
    if (this.buf.length === 0) return;
    if (!this.stream.write(this.buf) && !this.drained) {
      const drained = once(this.stream, "drain").then(() => {
        this.drained = undefined;
      }); // rejects if the stream fails first
      drained.catch(() => undefined); // the failure is reported through `error`, not as an unhandled rejection
      this.drained = drained;
    }
    this.buf = "";
  }

  private throwIfFailed(): void {
    if (this.error) throw new Error(`cannot write ${this.tempPath}: ${this.error.message}`);
  }
}

/**
 * The four files of one export folder, written under temporary names and renamed into place only when all of them
 * are complete: a failed or interrupted run leaves no partial CSV behind.
 */
export class CsvFileSet<K extends string> {
  readonly all: readonly CsvFileWriter[];

  private constructor(readonly writers: Record<K, CsvFileWriter>) {
    this.all = Object.values(writers);
  }

  static async open<K extends string>(
    dir: string,
    files: Record<K, { file: string; header: readonly string[] }>,
  ): Promise<CsvFileSet<K>> {
    const stat = await fsp.stat(dir).catch(() => undefined);
    if (stat && !stat.isDirectory()) throw new Error(`--out ${dir} exists and is not a folder`);
    await fsp.mkdir(dir, { recursive: true });
    const suffix = `${process.pid}-${Date.now().toString(36)}`;
    const writers = {} as Record<K, CsvFileWriter>;
    const created: CsvFileWriter[] = [];
    try {
      for (const key of Object.keys(files) as K[]) {
        const target = path.join(dir, files[key].file);
        const targetStat = await fsp.lstat(target).catch(() => undefined);
        if (targetStat?.isDirectory()) throw new Error(`${target} is a folder; cannot write the CSV file there`);
        const w = new CsvFileWriter(target, suffix, files[key].header);
        created.push(w);
        writers[key] = w;
        await w.opened();
      }
    } catch (err) {
      await Promise.all(created.map((w) => w.discard()));
      throw err;
    }
    return new CsvFileSet(writers);
  }

  /** Waits for every file whose stream asked for it: call between records, never holding more than a few rows. */
  async drain(): Promise<void> {
    for (const w of this.all) if (w.pressured) await w.drain();
  }

  async commit(): Promise<void> {
    try {
      for (const w of this.all) await w.close();
    } catch (err) {
      await this.discard();
      throw err;
    }
    for (const w of this.all) await fsp.rename(w.tempPath, w.finalPath);
  }

  async discard(): Promise<void> {
    await Promise.all(this.all.map((w) => w.discard()));
  }
}
