// The npm registry reachable from this project's machines serves only the linux-x64 builds of packages that ship
// one optional package per platform (DuckDB's bindings, jest's unrs-resolver), so `npm install` leaves the other
// platforms out of package-lock.json and `npm ci` then calls the lock file out of sync. This adds the missing
// entries with their os/cpu/libc (taken from the package name), which `npm ci` skips on a non-matching machine.
// Run it after `npm install` changes package-lock.json: `npm run lock:platforms`.
import { readFileSync, writeFileSync } from "node:fs";

const file = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(file, "utf8"));
const pk = lock.packages;
const OS = ["darwin", "linux", "win32", "freebsd", "android", "openharmony", "netbsd", "openbsd", "sunos", "aix"];
const CPU = [
  ["x64", /x64|x86_64|amd64/],
  ["arm64", /arm64|aarch64/],
  ["ia32", /ia32/],
  ["arm", /arm(?!64)/],
  ["loong64", /loong64/],
  ["ppc64", /ppc64/],
  ["riscv64", /riscv64/],
  ["s390x", /s390x/],
];

function resolves(from, dep) {
  for (let at = from; ; at = at.includes("/node_modules/") ? at.slice(0, at.lastIndexOf("/node_modules/")) : "") {
    if (pk[`${at ? `${at}/` : ""}node_modules/${dep}`]) return true;
    if (!at) return false;
  }
}

let added = 0;
for (const [path, entry] of Object.entries(pk)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    if (resolves(path, dep) || !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version)) continue;
    const name = dep.split("/").pop();
    const os = OS.find((o) => name.includes(o));
    const cpu = CPU.find(([, re]) => re.test(name))?.[0];
    if (!os || !cpu) continue;
    const libc = name.includes("musl") ? ["musl"] : os === "linux" && name.includes("gnu") ? ["glibc"] : undefined;
    pk[`node_modules/${dep}`] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [os],
      cpu: [cpu],
      ...(libc ? { libc } : {}),
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(pk).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)),
);
writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
console.log(`package-lock.json: added ${added} platform entries`);
