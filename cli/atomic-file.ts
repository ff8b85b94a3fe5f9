import { createWriteStream, existsSync, renameSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import { dirname, resolve } from "node:path";

/** An output path the CLI cannot write to; the message names the file and why. */
export class OutputError extends Error {
  override name = "OutputError";
}

/** Refuses an output path whose folder does not exist (or is not a folder), naming that folder. */
export function checkOutputFolder(path: string): void {
  const folder = dirname(resolve(path));
  if (!existsSync(folder))
    throw new OutputError(`cannot write ${path}: the folder ${folder} does not exist (create it first)`);
  if (!statSync(folder).isDirectory()) throw new OutputError(`cannot write ${path}: ${folder} is not a folder`);
}

/**
 * Writes a file under a temporary name and renames it into place only when everything was written, so a failed run
 * leaves no partial output.
 */
export async function writeAtomically(
  path: string,
  write: (out: NodeJS.WritableStream) => Promise<void>,
): Promise<void> {
  checkOutputFolder(path);
  const tmp = `${path}.tmp-${process.pid}`;
  const out = createWriteStream(tmp);
  try {
    await write(out);
    out.end();
    await once(out, "finish");
    renameSync(tmp, path);
  } catch (e) {
    out.destroy();
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Writes a chunk, waiting for the stream to drain when its buffer is full. */
export async function writeChunk(out: NodeJS.WritableStream, chunk: string | Uint8Array): Promise<void> {
  if (!out.write(chunk)) await once(out, "drain");
}
