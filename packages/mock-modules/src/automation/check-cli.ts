import { relative, sep } from "node:path";
import { parseArgs } from "node:util";
import type { AutomationReport } from "@bridge/shared";
import { defaultReportsDir, repoRoot, writeReport } from "./report-writer.js";
import { DEFAULT_TIMEOUT_MS, runCheck } from "./run-check.js";

export const DEFAULT_BRIDGE_URL = "http://127.0.0.1:8000";

export const USAGE = `Usage: pnpm automation:check [options]

The bridge check the n8n workflow runs, without n8n: read GET /bucket/status, POST a test update as
module "automation", read the status again, and pass when all three answered 2xx and the test update
was counted. Writes a report (the AutomationReport schema of @bridge/shared) to the reports folder.

Options:
  --url URL           bridge base URL (--url wins over $BRIDGE_URL, which wins over ${DEFAULT_BRIDGE_URL})
  --key KEY           API key, sent as "Authorization: Bearer KEY" (default $BRIDGE_API_KEY;
                      the variable keeps the key out of process listings)
  --reports-dir DIR   where the report goes (default automation/reports under the repository root)
  --timeout-ms N      per call (default ${DEFAULT_TIMEOUT_MS})
  --json              print the report on stdout instead of the summary
  -h, --help          this text

Exit status: 0 the check passed; 1 it failed (the report says why); 2 bad options or the report
could not be written.`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
}

/** Parse, run, write, print. Returns the exit status rather than exiting, so tests can call it. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const url = values.url ?? io.env.BRIDGE_URL ?? DEFAULT_BRIDGE_URL;
  if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url)) {
    io.err(`--url must be an http(s) URL, got ${JSON.stringify(url)}`);
    return 2;
  }
  const timeoutMs = values["timeout-ms"] === undefined ? DEFAULT_TIMEOUT_MS : Number(values["timeout-ms"]);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    io.err(`--timeout-ms must be a positive integer, got ${JSON.stringify(values["timeout-ms"])}`);
    return 2;
  }
  const key = values.key ?? io.env.BRIDGE_API_KEY;
  const report = await runCheck({ url, key: key || undefined, timeoutMs });
  let file: string;
  try {
    file = await writeReport(values["reports-dir"] ?? defaultReportsDir(), report);
  } catch (err) {
    io.err(`could not write the report: ${(err as Error).message}`);
    return 2;
  }
  if (values.json) io.out(JSON.stringify(report, null, 2));
  else printSummary(report, file, io);
  return report.pass ? 0 : 1;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      url: { type: "string" },
      key: { type: "string" },
      "reports-dir": { type: "string" },
      "timeout-ms": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

function printSummary(r: AutomationReport, file: string, io: CliIo): void {
  for (const s of r.steps) {
    const status = s.http_status === null ? "---" : String(s.http_status);
    io.out(`${s.method.padEnd(4)} ${s.url}  ${status}  ${s.latency_ms.toFixed(1)} ms${s.error ? `  ${s.error}` : ""}`);
  }
  const root = repoRoot();
  // inside the repository: a short relative path; anywhere else (even a sibling such as <repo>-reports): absolute
  const shown = root && (file === root || file.startsWith(`${root}${sep}`)) ? relative(root, file) : file;
  if (r.pass) {
    io.out(`PASS  module_sync_counts.${r.sent.module}: ${r.counts.before} → ${r.counts.after}, event ${r.event_id}`);
  } else {
    for (const f of r.failures) io.out(`FAIL  ${f}`);
  }
  io.out(`report: ${shown}`);
  if (!r.pass) io.err(`automation check failed: ${r.failures.length} problem(s), see ${shown}`);
}

// Run when executed directly (tsx src/automation/check-cli.ts or node dist/automation/check-cli.js).
const invoked = process.argv[1] ?? "";
if (/check-cli\.(ts|js)$/.test(invoked)) {
  // a reader that quits early (| head) must not turn into a crash; the exit status still tells the result
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
  // pnpm passes a lone "--" through when the caller separated its options with one
  const args = process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--"));
  main(args, {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    env: process.env,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`automation check crashed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
