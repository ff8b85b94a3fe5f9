import { createConnection, type Socket } from "node:net";
import type { Server } from "node:http";
import type { DataverseGateway } from "../../plugins/dataverse/gateway";

/** An environment with no rows: every read finds nothing, nothing is written. */
export const emptyGateway: DataverseGateway = {
  retrieve: async () => null,
  retrieveAccount: async () => null,
  fetch: async () => ({ rows: [], moreRecords: false }),
  query: async () => [],
  commit: () => Promise.reject(new Error("nothing to write in an empty environment")),
};

/** Bytes each server-side socket read by the time it closed, to show a body was not read whole. */
export function trackBytesRead(server: Server): number[] {
  const seen: number[] = [];
  server.on("connection", (s: Socket) => s.once("close", () => seen.push(s.bytesRead)));
  return seen;
}

export interface RawClient {
  socket: Socket;
  /** Everything the server sent, once it closed the connection. */
  closed: Promise<string>;
  received(): string;
}

/** A raw TCP client on 127.0.0.1, so a test can send half a request, or too much of one. */
export function rawClient(p: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port: p }, () => {
      let got = "";
      socket.on("data", (d: Buffer) => (got += d.toString("latin1")));
      const closed = new Promise<string>((r) => socket.once("close", () => r(got)));
      resolve({ socket, closed, received: () => got });
    });
    socket.once("error", reject);
    // Writes after the server hung up fail with EPIPE/ECONNRESET: that is the point, not an error here.
    socket.on("error", () => undefined);
  });
}

export const statusOf = (raw: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? NaN);

/** Replaces (or removes) the value at a random path of a JSON tree: how the fuzz suites mutate valid input. */
export function mutate(tree: unknown, path: number[], replacement: unknown, remove: boolean): unknown {
  if (tree === null || typeof tree !== "object") return replacement;
  const keys = Object.keys(tree as object);
  if (keys.length === 0) return replacement;
  const key = keys[path[0] % keys.length];
  const copy = (Array.isArray(tree) ? [...(tree as unknown[])] : { ...(tree as object) }) as Record<string, unknown>;
  if (path.length === 1) {
    if (remove) delete copy[key];
    else copy[key] = replacement;
  } else copy[key] = mutate(copy[key], path.slice(1), replacement, remove);
  return copy;
}
