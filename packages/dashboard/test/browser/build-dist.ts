import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";

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
 */
export default async function setup(): Promise<void> {
  const index = join(DIST, "index.html");
  const sources = Math.max(newestMtime(join(pkg, "src")), newestMtime(join(pkg, "index.html")), newestMtime(join(pkg, "vite.config.ts")));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  process.stdout.write("dashboard dist is missing or older than src: building it for the browser tests\n");
  await build({ root: pkg, configFile: join(pkg, "vite.config.ts"), logLevel: "warn" });
}
