import { existsSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { AutomationReport, reportFileName } from "@bridge/shared";

/** The repository root (the folder holding pnpm-workspace.yaml), so that the default reports folder is the
 * same whatever cwd pnpm gives the script. */
export function repoRoot(start: string = dirname(fileURLToPath(import.meta.url))): string | null {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

export function defaultReportsDir(): string {
  return join(repoRoot() ?? process.cwd(), "automation", "reports");
}

/** Validate the report against the shared schema and write it pretty-printed, through a temporary file and
 * a rename, so a reader never sees half a report. Returns the file's path. */
export async function writeReport(dir: string, report: AutomationReport): Promise<string> {
  const valid = AutomationReport.parse(report);
  await mkdir(dir, { recursive: true });
  const file = join(dir, reportFileName(valid));
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(valid, null, 2)}\n`, { mode: 0o644 });
  await rename(tmp, file);
  return file;
}
