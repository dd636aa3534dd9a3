/**
 * pnpm bench: figures, not a test. Prints
 *  1. ingest: POST /core/update on the real api (SQLite file, both logs on) against a bare Express
 *     route that parses the same JSON and answers the same shape, same load, same run: req/s, p50, p99, ratio;
 *  2. reads at 1,000,000 events: status, first events page, a deep page, filtered pages, the summary; api RSS;
 *  3. delivery: the drain rate of a 100,000-event backlog to a local mock Bucket.
 * Options (env): BENCH_DURATION_S (8), BENCH_ROUNDS (3), BENCH_CONNECTIONS (32), BENCH_EVENTS (1000000), BENCH_DRAIN_EVENTS (100000).
 * Run one part: pnpm bench ingest | reads | drain.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import autocannon from "autocannon";
import { fillStore } from "./fill.js";

const API_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
const DURATION = Number(process.env.BENCH_DURATION_S ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const DRAIN_EVENTS = Number(process.env.BENCH_DRAIN_EVENTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BODY = JSON.stringify({
  module: "education",
  data: { course: "math-101", lesson: 3, score: 0.92, time_spent_s: 640 },
  session_id: "bench",
});

interface Child {
  proc: ChildProcess;
  url: string;
}

function start(script: string, env: Record<string, string>): Promise<Child> {
  const proc = spawn(process.execPath, ["--conditions=development", "--import", "tsx", script], {
    cwd: API_DIR,
    env: { ...process.env, PORT: "0", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout?.on("data", (c) => {
      out += c;
      const m = /READY (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve({ proc, url: m[1] });
    });
    proc.on("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

async function stop(c: Child): Promise<void> {
  if (c.proc.exitCode !== null) return;
  const exited = new Promise((r) => c.proc.once("exit", r));
  c.proc.kill("SIGTERM");
  await exited;
}

async function load(url: string, duration = DURATION) {
  const r = await autocannon({
    url: `${url}/core/update`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: BODY,
    connections: CONNECTIONS,
    duration,
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, total: r.requests.total };
}

function rssMb(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function timeGet(url: string, runs = 30): Promise<{ p50: number; p95: number; max: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    if (i >= 3) times.push(performance.now() - t0); // the first three warm the statement cache
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] as number;
  return { p50: at(0.5), p95: at(0.95), max: times[times.length - 1] as number };
}

const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);

async function ingestBench(): Promise<void> {
  console.log(
    `\n## 1. Ingest: ${CONNECTIONS} connections, ${DURATION} s per run, same body (${BODY.length} bytes), ${ROUNDS} alternating rounds`,
  );
  const root = mkdtempSync(join(tmpdir(), "bridge-bench-"));
  const bare = await start("bench/bare-server.ts", {});
  const api = await start("src/main.ts", { BRIDGE_ROOT: root });
  // warm both (JIT, SQLite page cache), then alternate so drift on a shared machine hits both alike
  await Promise.all([load(bare.url, 2), load(api.url, 2)].map((p) => p.catch(() => null)));
  const rows: Array<{ round: number; b: Awaited<ReturnType<typeof load>>; a: Awaited<ReturnType<typeof load>> }> = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const b = await load(bare.url);
    const a = await load(api.url);
    rows.push({ round, b, a });
  }
  const rss = rssMb(api.proc.pid);
  await stop(bare);
  await stop(api);
  // the live file and its rotated predecessors (core_sync1.log …)
  const lines = readdirSync(join(root, "logs"))
    .filter((f) => f.startsWith("core_sync"))
    .reduce(
      (n, f) =>
        n +
        readFileSync(join(root, "logs", f), "utf8")
          .split("\n")
          .filter(Boolean).length,
      0,
    );
  const served = rows.reduce((n, r) => n + r.a.total, 0);
  rmSync(root, { recursive: true, force: true });
  console.log("| round | bare req/s | bare p50/p99 ms | bridge req/s | bridge p50/p99 ms | ratio | non-2xx / errors |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|");
  for (const { round, b, a } of rows) {
    console.log(
      `| ${round} | ${f1(b.rps)} | ${b.p50} / ${b.p99} | ${f1(a.rps)} | ${a.p50} / ${a.p99} | ${f2(a.rps / b.rps)} | ${a.non2xx + b.non2xx} / ${a.errors + b.errors} |`,
    );
  }
  const ratios = rows.map((r) => r.a.rps / r.b.rps).sort((x, y) => x - y);
  const median = ratios[Math.floor(ratios.length / 2)] as number;
  console.log(`median ratio bridge / bare: ${f2(median)} (target ≥ 0.60); bridge RSS after load: ${f1(rss)} MiB`);
  console.log(
    `core_sync.log and its rotated files: ${lines} lines for ${served} answered requests (+ warm-up and requests cut off at each run's end)`,
  );
  console.log(
    "bare = Express 5 + express.json(), answers the same shape, stores and logs nothing; bridge = POST /core/update, SQLite WAL file, both logs",
  );
}

async function readBench(): Promise<void> {
  console.log(`\n## 2. Reads at ${EVENTS.toLocaleString("en")} events (spread over 24 h, 5 modules)`);
  const root = mkdtempSync(join(tmpdir(), "bridge-bench-"));
  const db = join(root, "data", "bridge.db");
  const fillS = await fillStore(db, EVENTS, 24 * 3600_000);
  console.log(`filled in ${f1(fillS)} s (${Math.round(EVENTS / fillS).toLocaleString("en")} events/s through the store's ingest, batched)`);
  const api = await start("src/main.ts", { BRIDGE_ROOT: root });
  const first = (await (await fetch(`${api.url}/insight/events?limit=50`)).json()) as { next_cursor: string };
  // a cursor half-way down: page through with large pages until then
  let cursor = first.next_cursor;
  for (let i = 0; i < Math.floor(EVENTS / 2 / 500); i++) {
    const page = (await (await fetch(`${api.url}/insight/events?limit=500&cursor=${cursor}`)).json()) as { next_cursor: string | null };
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  const since = new Date(Date.now() - 12 * 3600_000).toISOString();
  const cases: Array<[string, string]> = [
    ["GET /bucket/status", "/bucket/status"],
    ["GET /insight/events (first page, 50)", "/insight/events?limit=50"],
    [`GET /insight/events (deep page, ~${(EVENTS / 2).toLocaleString("en")} events down)`, `/insight/events?limit=50&cursor=${cursor}`],
    ["GET /insight/events?module=finance (first page)", "/insight/events?module=finance&limit=50"],
    ["GET /insight/events?module=finance (deep page)", `/insight/events?module=finance&limit=50&cursor=${cursor}`],
    ["GET /insight/events?since=12h ago", `/insight/events?limit=50&since=${since}`],
    ["GET /insight/summary?window=15m", "/insight/summary?window=15m"],
    ["GET /insight/summary?window=1h", "/insight/summary?window=1h"],
    ["GET /insight/summary?window=24h (all 1M events)", "/insight/summary?window=24h"],
  ];
  console.log("| request | p50 ms | p95 ms | max ms |");
  console.log("|---|---:|---:|---:|");
  for (const [name, path] of cases) {
    const t = await timeGet(`${api.url}${path}`);
    console.log(`| ${name} | ${f2(t.p50)} | ${f2(t.p95)} | ${f2(t.max)} |`);
  }
  console.log(`api RSS with ${EVENTS.toLocaleString("en")} events: ${f1(rssMb(api.proc.pid))} MiB (target: each request under 20 ms)`);
  await stop(api);
  rmSync(root, { recursive: true, force: true });
}

async function drainBench(): Promise<void> {
  console.log(`\n## 3. Delivery: drain a ${DRAIN_EVENTS.toLocaleString("en")}-event backlog to a local mock Bucket`);
  const drainFile = join(API_DIR, "bench", "drain.ts");
  if (!existsSync(drainFile)) {
    console.log("(no delivery worker in this build: skipped)");
    return;
  }
  // imported by path: the delivery benchmark ships with the delivery worker
  const { measureDrain } = (await import(pathToFileURL(drainFile).href)) as {
    measureDrain: (o: { events: number }) => Promise<{ events: number; seconds: number; eventsPerSecond: number }>;
  };
  const r = await measureDrain({ events: DRAIN_EVENTS });
  console.log(
    `drained ${r.events.toLocaleString("en")} events in ${f1(r.seconds)} s: ${Math.round(r.eventsPerSecond).toLocaleString("en")} events/s`,
  );
}

console.log(`# Core–Bucket Data Bridge benchmark — ${new Date().toISOString()}`);
console.log(
  `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${f1(totalmem() / 1024 ** 3)} GiB; load generator on the same cores`,
);
const only = process.argv.slice(2);
if (only.length === 0 || only.includes("ingest")) await ingestBench();
if (only.length === 0 || only.includes("reads")) await readBench();
if (only.length === 0 || only.includes("drain")) await drainBench();
