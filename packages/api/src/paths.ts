import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: the nearest folder above this file holding pnpm-workspace.yaml.
 * Log and data paths resolve from here, never from the cwd a package script gets. */
export function findRepoRoot(start: string = dirname(fileURLToPath(import.meta.url))): string | null {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
