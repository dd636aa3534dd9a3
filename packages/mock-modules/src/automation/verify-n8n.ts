/**
 * pnpm verify:n8n: import automation/n8n_workflow.json into a real n8n 2.8.4 and run it.
 *
 * 1. Installs n8n 2.8.4 into a cache folder outside the repository when it is not there yet
 *    (~/.cache/core-bucket-bridge/n8n/2.8.4: 5–12 minutes, about 2.3 GB; an npm override pins xlsx to the
 *    registry's 0.18.5 because a dependency points at a tarball outside the registry).
 * 2. Starts a bridge (packages/api, as `pnpm start` would, from source) on a temporary root and port, with
 *    an API key configured.
 * 3. Imports five copies of the workflow in one n8n CLI call, differing only in the Config node: the
 *    committed file with its own id and the right key; the same with Run now listed first (n8n execute
 *    starts from the first trigger); no key (refused); the wrong key (refused); a bridge that is down.
 *    Runs each with `n8n execute` and asserts: exit status, a new report in
 *    automation/reports/ that matches the AutomationReport schema and whose verdict equals
 *    reportFailures() on its own steps, and that the bridge counted exactly the accepted test updates.
 * 4. Exports the imported workflow again and checks that nodes and connections came back unchanged.
 * 5. Writes automation/n8n-node-types.json: every node type and typeVersion that n8n's own node packages
 *    define, which the structural test (test/automation-workflow.test.ts) checks the workflow against.
 *
 * n8n runs with cwd = the repository root, N8N_USER_FOLDER in a temp folder, diagnostics off, and
 * N8N_RESTRICT_FILE_ACCESS_TO = <repo>/automation/reports: the one setting the workflow needs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { AutomationReport, REPORT_FILE_PATTERN, reportFailures } from "@bridge/shared";
import { repoRoot } from "./report-writer.js";

export const N8N_VERSION = "2.8.4";
const WORKFLOW_ID = "bridgeAutomation01";
const KEY = "verify-n8n-automation-key-0123456789abcdef";
const WRONG_KEY = "verify-n8n-wrong-key-0123456789abcdef012345";
/** An n8n CLI call boots the whole instance (15–25 s here); 5 minutes means something hangs. */
const N8N_CALL_TIMEOUT_MS = 5 * 60_000;
const INSTALL_TIMEOUT_MS = 30 * 60_000;

interface Workflow {
  id: string;
  name: string;
  nodes: Array<{ name: string; type: string; typeVersion: number; parameters: Record<string, unknown> }>;
  connections: Record<string, unknown>;
  [k: string]: unknown;
}

interface Scenario {
  id: string;
  title: string;
  key: string;
  /** null: the bridge URL; otherwise a port where nothing listens */
  downPort: number | null;
  expectPass: boolean;
  expectFailure: RegExp | null;
  /** list Run now before Every 2 hours: `n8n execute` starts from the trigger listed first */
  manualFirst?: boolean;
}

const log = (line: string) => process.stdout.write(`${line}\n`);

function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "core-bucket-bridge", "n8n", N8N_VERSION);
}

function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; echo?: boolean },
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const take = (b: Buffer) => {
      out += b.toString();
      if (opts.echo) process.stdout.write(b);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${cmd} ${args.join(" ")} took longer than ${opts.timeoutMs / 1000} s\n${out.slice(-4000)}`));
    }, opts.timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

async function ensureN8n(): Promise<string> {
  const dir = cacheDir();
  const bin = join(dir, "node_modules", ".bin", "n8n");
  if (existsSync(bin)) {
    const v = await run(bin, ["--version"], { cwd: dir, env: process.env, timeoutMs: 120_000 });
    if (v.code === 0 && v.out.trim().split("\n").pop() === N8N_VERSION) return bin;
    log(`n8n in ${dir} answered ${JSON.stringify(v.out.trim().slice(-200))}: reinstalling`);
  }
  log(`installing n8n ${N8N_VERSION} into ${dir} (once; 5–12 minutes, about 2.3 GB)…`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify(
      {
        name: "core-bucket-bridge-n8n-cache",
        private: true,
        description: "n8n for pnpm verify:n8n; outside the repository on purpose",
        dependencies: { n8n: N8N_VERSION },
        // a dependency of n8n-nodes-base points xlsx at a tarball outside the npm registry
        overrides: { xlsx: "0.18.5" },
      },
      null,
      2,
    )}\n`,
  );
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const res = await run(npm, ["install", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: dir,
    env: process.env,
    timeoutMs: INSTALL_TIMEOUT_MS,
    echo: true,
  });
  if (res.code !== 0 || !existsSync(bin)) throw new Error(`npm install n8n@${N8N_VERSION} failed (exit ${res.code})`);
  return bin;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", () => resolve()));
  const addr = s.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** The real api (packages/api/src/main.ts) as a child process; resolves with its URL once it prints READY. */
async function startBridge(root: string, bridgeRoot: string): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const require = createRequire(import.meta.url);
  const tsxCli = require.resolve("tsx/cli");
  const child = spawn(process.execPath, [tsxCli, "--conditions=development", join(root, "packages/api/src/main.ts")], {
    cwd: join(root, "packages/api"),
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? homedir(),
      BRIDGE_ROOT: bridgeRoot,
      PORT: "0",
      HOST: "127.0.0.1",
      BRIDGE_API_KEYS: `${KEY}:automation|read`,
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bridge did not start in 60 s:\n${out}`)), 60_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /READY (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the bridge exited with ${code} before it was ready:\n${out}`));
    });
  });
  return { url, child, output: () => out };
}

async function automationCount(url: string): Promise<number> {
  const res = await fetch(`${url}/bucket/status`, { headers: { authorization: `Bearer ${KEY}` } });
  if (!res.ok) throw new Error(`GET /bucket/status answered ${res.status}`);
  const body = (await res.json()) as { module_sync_counts: Record<string, number> };
  return body.module_sync_counts.automation ?? 0;
}

function configure(original: Workflow, s: Scenario, bridgeUrl: string): Workflow {
  const copy = structuredClone(original);
  copy.id = s.id;
  if (s.id !== WORKFLOW_ID) copy.name = `${original.name} [verify: ${s.title}]`;
  const config = copy.nodes.find((n) => n.name === "Config");
  const assignments = (config?.parameters.assignments as { assignments?: Array<{ name: string; value: unknown }> } | undefined)
    ?.assignments;
  if (!assignments) throw new Error("the workflow has no Config node with assignments");
  const set = (name: string, value: string) => {
    const a = assignments.find((x) => x.name === name);
    if (!a) throw new Error(`the Config node has no ${name}`);
    a.value = value;
  };
  set("bridge_url", s.downPort === null ? bridgeUrl : `http://127.0.0.1:${s.downPort}`);
  set("api_key", s.key);
  if (s.manualFirst) {
    const i = copy.nodes.findIndex((n) => n.type === "n8n-nodes-base.manualTrigger");
    const [manual] = copy.nodes.splice(i, 1);
    if (manual) copy.nodes.unshift(manual);
  }
  return copy;
}

/** Every node type and version that n8n's own node packages define, from their generated metadata. */
function nodeCatalog(n8nDir: string): Record<string, number[]> {
  const catalog: Record<string, number[]> = {};
  for (const pkg of ["n8n-nodes-base", "@n8n/n8n-nodes-langchain"]) {
    const file = join(n8nDir, "node_modules", pkg, "dist", "types", "nodes.json");
    if (!existsSync(file)) continue;
    const nodes = JSON.parse(readFileSync(file, "utf8")) as Array<{ name: string; version: number | number[] }>;
    for (const n of nodes) {
      const type = `${pkg}.${n.name.replace(/^.*\./, "")}`;
      const versions = new Set([...(catalog[type] ?? []), ...(Array.isArray(n.version) ? n.version : [n.version])]);
      catalog[type] = [...versions].sort((a, b) => a - b);
    }
  }
  return Object.fromEntries(Object.entries(catalog).sort(([a], [b]) => a.localeCompare(b)));
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const root = repoRoot();
  if (!root) throw new Error("run from inside the repository");
  const workflowFile = join(root, "automation", "n8n_workflow.json");
  const reportsDir = join(root, "automation", "reports");
  mkdirSync(reportsDir, { recursive: true });
  const original = JSON.parse(readFileSync(workflowFile, "utf8")) as Workflow;

  const n8n = await ensureN8n();
  const n8nDir = cacheDir();
  const version = (await run(n8n, ["--version"], { cwd: n8nDir, env: process.env, timeoutMs: 120_000 })).out.trim().split("\n").pop();
  log(`n8n ${version} at ${n8n}`);

  const catalog = nodeCatalog(n8nDir);
  const typesFile = join(root, "automation", "n8n-node-types.json");
  // one line per node type, as biome formats it, so a new n8n version shows as a readable diff
  const lines = Object.entries(catalog).map(([type, versions]) => `    ${JSON.stringify(type)}: [${versions.join(", ")}]`);
  const header = `  "n8n_version": ${JSON.stringify(version)},\n  "generated_by": "pnpm verify:n8n",\n`;
  writeFileSync(typesFile, `{\n${header}  "nodes": {\n${lines.join(",\n")}\n  }\n}\n`);
  const unknown = original.nodes.filter((n) => !catalog[n.type]?.includes(n.typeVersion));
  if (unknown.length > 0) {
    throw new Error(
      `node types n8n ${version} does not define: ${unknown.map((n) => `${n.name} (${n.type} v${n.typeVersion})`).join(", ")}`,
    );
  }
  log(`node types: ${Object.keys(catalog).length} types written to automation/n8n-node-types.json; the workflow uses:`);
  for (const t of [...new Set(original.nodes.map((n) => `${n.type} v${n.typeVersion}`))].sort()) log(`  ${t}`);

  const tmp = mkdtempSync(join(tmpdir(), "verify-n8n-"));
  const bridge = await startBridge(root, join(tmp, "bridge-root"));
  log(`bridge at ${bridge.url} (root ${join(tmp, "bridge-root")}, key scope automation|read)`);

  // Only what n8n needs; nothing of the caller's N8N_* settings leaks in.
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("N8N_")));
  Object.assign(env, {
    N8N_USER_FOLDER: join(tmp, "n8n-user"),
    N8N_DIAGNOSTICS_ENABLED: "false",
    N8N_VERSION_NOTIFICATIONS_ENABLED: "false",
    N8N_TEMPLATES_ENABLED: "false",
    // the one setting the workflow needs: its reports folder is the only place n8n may write
    N8N_RESTRICT_FILE_ACCESS_TO: reportsDir,
    // n8n 2.x's default, stated: the workflow reads no environment variable
    N8N_BLOCK_ENV_ACCESS_IN_NODE: "true",
  });

  const scenarios: Scenario[] = [
    { id: WORKFLOW_ID, title: "right key", key: KEY, downPort: null, expectPass: true, expectFailure: null },
    {
      id: "bridgeVerifyRunNow",
      title: "right key, from Run now",
      key: KEY,
      downPort: null,
      expectPass: true,
      expectFailure: null,
      manualFirst: true,
    },
    {
      id: "bridgeVerifyNoKey",
      title: "no key",
      key: "",
      downPort: null,
      expectPass: false,
      expectFailure: /^GET \/bucket\/status \(before\) answered 401/,
    },
    {
      id: "bridgeVerifyBadKey",
      title: "wrong key",
      key: WRONG_KEY,
      downPort: null,
      expectPass: false,
      expectFailure: /^GET \/bucket\/status \(before\) answered 401/,
    },
    {
      id: "bridgeVerifyDown",
      title: "bridge down",
      key: KEY,
      downPort: await freePort(),
      expectPass: false,
      expectFailure: /^GET \/bucket\/status \(before\) did not answer: /,
    },
  ];

  const results: string[] = [];
  let failed = false;
  try {
    const importDir = join(tmp, "import");
    mkdirSync(importDir);
    for (const s of scenarios) writeFileSync(join(importDir, `${s.id}.json`), JSON.stringify(configure(original, s, bridge.url), null, 2));
    const imported = await run(n8n, ["import:workflow", "--separate", `--input=${importDir}`], {
      cwd: root,
      env,
      timeoutMs: N8N_CALL_TIMEOUT_MS,
    });
    if (imported.code !== 0) throw new Error(`n8n import:workflow failed (exit ${imported.code}):\n${imported.out.slice(-3000)}`);
    log(`imported ${scenarios.length} workflows: ${imported.out.trim().split("\n").pop()}`);

    // stable under export: what n8n stored is what the file says
    const exportFile = join(tmp, "exported.json");
    const exported = await run(n8n, ["export:workflow", `--id=${WORKFLOW_ID}`, "--pretty", `--output=${exportFile}`], {
      cwd: root,
      env,
      timeoutMs: N8N_CALL_TIMEOUT_MS,
    });
    if (exported.code !== 0) throw new Error(`n8n export:workflow failed:\n${exported.out.slice(-3000)}`);
    const parsedExport = JSON.parse(readFileSync(exportFile, "utf8")) as Workflow | Workflow[];
    const back = Array.isArray(parsedExport) ? parsedExport[0] : parsedExport;
    const sent = configure(original, scenarios[0] as Scenario, bridge.url);
    const same =
      JSON.stringify(back?.nodes) === JSON.stringify(sent.nodes) && JSON.stringify(back?.connections) === JSON.stringify(sent.connections);
    results.push(`${same ? "ok  " : "FAIL"} export after import: nodes and connections ${same ? "unchanged" : "changed"}`);
    if (!same) {
      failed = true;
      writeFileSync(join(tmp, "sent.json"), JSON.stringify(sent, null, 2));
      log(`export differs: compare ${join(tmp, "sent.json")} with ${exportFile}`);
    }

    for (const s of scenarios) {
      const before = await automationCount(bridge.url);
      const existing = new Set(readdirSync(reportsDir));
      const started = Date.now();
      const ex = await run(n8n, ["execute", `--id=${s.id}`], { cwd: root, env, timeoutMs: N8N_CALL_TIMEOUT_MS });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const after = await automationCount(bridge.url);
      const fresh = readdirSync(reportsDir).filter((f) => !existing.has(f) && f.includes("-n8n-"));
      const problems: string[] = [];
      if (s.expectPass !== (ex.code === 0)) problems.push(`n8n execute exited ${ex.code}, expected ${s.expectPass ? 0 : "non-zero"}`);
      if (!s.expectPass && !ex.out.includes("Bridge check failed")) problems.push("n8n's output does not say 'Bridge check failed'");
      const trigger = /"triggerNode":\s*\{\s*"name":\s*"([^"]+)"/.exec(ex.out)?.[1] ?? "(not reported)";
      const expectedTrigger = s.manualFirst ? "Run now" : "Every 2 hours";
      if (trigger !== expectedTrigger) problems.push(`started from ${trigger}, expected ${expectedTrigger}`);
      if (fresh.length !== 1) problems.push(`expected one new report, found ${fresh.length}`);
      let summary = "";
      const file = fresh[0];
      if (file) {
        if (!REPORT_FILE_PATTERN.test(file)) problems.push(`report name ${file} does not match REPORT_FILE_PATTERN`);
        const parsed = AutomationReport.safeParse(JSON.parse(readFileSync(join(reportsDir, file), "utf8")));
        if (!parsed.success) problems.push(`report does not match AutomationReport: ${parsed.error.message}`);
        else {
          const r = parsed.data;
          const rule = reportFailures(r);
          if (JSON.stringify(rule) !== JSON.stringify(r.failures)) {
            problems.push(`n8n's failures ${JSON.stringify(r.failures)} differ from reportFailures() ${JSON.stringify(rule)}`);
          }
          if (r.pass !== s.expectPass) problems.push(`report pass=${r.pass}, expected ${s.expectPass}`);
          if (s.expectFailure && !s.expectFailure.test(r.failures[0] ?? ""))
            problems.push(`first failure ${JSON.stringify(r.failures[0])}`);
          if (r.used_api_key !== (s.key !== "")) problems.push(`used_api_key=${r.used_api_key}`);
          if (JSON.stringify(r).includes(s.key || "\u0000")) problems.push("the key appears in the report");
          summary = r.pass
            ? `counts ${r.counts.before} → ${r.counts.after}, latencies ${r.steps.map((x) => x.latency_ms).join("/")} ms`
            : `failures: ${r.failures.join("; ")}`;
        }
      }
      const expectedDelta = s.expectPass ? 1 : 0;
      if (after - before !== expectedDelta) problems.push(`the bridge counted ${after - before} test updates, expected ${expectedDelta}`);
      const ok = problems.length === 0;
      failed ||= !ok;
      results.push(`${ok ? "ok  " : "FAIL"} ${s.title} (${s.id}, from ${trigger}): exit ${ex.code} in ${seconds} s; ${summary}`);
      if (file) results.push(`       report ${file}`);
      for (const p of problems) results.push(`       ${p}`);
      if (!ok) writeFileSync(join(tmp, `${s.id}.out.txt`), ex.out);
    }
  } finally {
    bridge.child.kill("SIGTERM");
    await new Promise((r) => bridge.child.once("exit", r));
  }

  log("");
  log(`n8n ${version}, Node ${process.version}, ${new Date().toISOString()}`);
  for (const r of results) log(r);
  if (failed) {
    log(`\nverify:n8n FAILED (n8n output and data kept in ${tmp})`);
    process.exitCode = 1;
  } else {
    rmSync(tmp, { recursive: true, force: true });
    log(`\nverify:n8n passed in ${Math.round((Date.now() - t0) / 1000)} s`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`verify:n8n failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
