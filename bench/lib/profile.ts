import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import path from "node:path";

/**
 * With BENCH_PROFILE_DIR set, records a V8 CPU profile of just `fn` (not the data loading around it) into
 * <dir>/<name>.cpuprofile; bench/profile-top.ts lists its top self-time functions.
 */
export async function profiled<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return fn();
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) =>
      session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))),
    );
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 200 });
  await post("Profiler.start");
  try {
    return await fn();
  } finally {
    const { profile } = (await post("Profiler.stop")) as { profile: unknown };
    writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}
