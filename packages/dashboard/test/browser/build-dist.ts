import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("../..", import.meta.url));
export const DIST = join(pkg, "dist");

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

/**
 * The browser tests run against the built bundle, as `pnpm start` serves it. `pnpm test` builds
 * first; when this package's tests run alone, build here if dist is missing or older than the sources.
 * In a child process with NODE_ENV=production: vitest sets NODE_ENV=test, and a build inheriting it
 * would bundle React's development build (607 kB instead of 379 kB) into the dist `pnpm start` serves.
 */
export default function setup(): void {
  const index = join(DIST, "index.html");
  // the bundle holds the shared schemas too (aliased to ../shared/src)
  const inputs = ["src", "index.html", "vite.config.ts", "../shared/src"].map((p) => join(pkg, p));
  const sources = Math.max(...inputs.map(newestMtime));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  process.stdout.write("dashboard dist is missing or older than src: building it for the browser tests\n");
  const vite = join(dirname(createRequire(import.meta.url).resolve("vite/package.json")), "bin", "vite.js");
  execFileSync(process.execPath, [vite, "build", "--logLevel", "warn"], {
    cwd: pkg,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NODE_ENV: "production" },
  });
}
