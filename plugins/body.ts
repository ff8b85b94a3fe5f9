/** Reads a request body up to `limit` bytes; stops reading (and says so) as soon as the limit is passed. */
export async function readLimited(
  stream: AsyncIterable<Uint8Array> | null | undefined,
  limit: number,
): Promise<Buffer | "too-large"> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    if (size > limit) return "too-large";
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
