import { cpus, totalmem } from "node:os";

export interface Machine {
  nproc: number;
  cpu: string;
  memGb: number;
  node: string;
  date: string;
}

export function machine(): Machine {
  const c = cpus();
  return {
    nproc: c.length,
    cpu: c[0]?.model.trim() ?? "unknown",
    memGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString(),
  };
}
