import { createWriteStream, renameSync, rmSync } from "node:fs";
import { once } from "node:events";

/**
 * Writes a file under a temporary name and renames it into place only when everything was written, so a failed run
 * leaves no partial output.
 */
export async function writeAtomically(
  path: string,
  write: (out: NodeJS.WritableStream) => Promise<void>,
): Promise<void> {
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
export async function writeChunk(out: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, "drain");
}
