import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadConfig } from "../src/config.js";
import { createDeliveryFromConfig } from "../src/delivery/delivery-service.js";
import { createLoggers } from "../src/logging/loggers.js";
import { SqliteEventStore } from "../src/storage/sqlite/sqlite-store.js";
import { fillStore } from "./fill.js";

const API_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BUCKET_CLI = resolve(API_DIR, "..", "mock-modules", "src", "bucket", "bucket-cli.ts");

/** The mock Bucket in its own process (its own core), as `pnpm mock:bucket` runs it. */
async function startBucket(file: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ["--conditions=development", "--import", "tsx", BUCKET_CLI, "--port", "0", "--reset", "--file", file],
    {
      cwd: API_DIR,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const url = await new Promise<string>((res, rej) => {
    let out = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /READY (http:\/\/\S+)/.exec(out);
      if (m?.[1]) res(m[1]);
    });
    child.once("exit", (code) => rej(new Error(`mock Bucket exited (${code})`)));
  });
  return { child, url };
}

/**
 * Drain rate: fill a temp store with `events` pending events (through the store's ingest, 10,000
 * to a transaction), start a mock Bucket (separate process) and the delivery worker as main.ts
 * builds it (default concurrency, flow log on), and time until every event is delivered.
 */
export async function measureDrain(opts: { events: number; env?: Record<string, string> }): Promise<{
  events: number;
  seconds: number;
  eventsPerSecond: number;
}> {
  const root = mkdtempSync(join(tmpdir(), "bridge-drain-"));
  const bucket = await startBucket(join(root, "bucket.jsonl"));
  try {
    const config = loadConfig({ BRIDGE_ROOT: root, BUCKET_URL: `${bucket.url}/ingest`, LOG_LEVEL: "warn", ...opts.env });
    // the backlog is committed before the clock starts
    await fillStore(config.databasePath, opts.events, opts.events, Date.now(), "http");
    const store = new SqliteEventStore({ path: config.databasePath, deliveryMode: "http" });
    const loggers = createLoggers(config.log);
    const worker = createDeliveryFromConfig({ config, store, loggers, clock: { now: () => Date.now() } });
    if (!worker) throw new Error("no BUCKET_URL");
    const t0 = performance.now();
    worker.start();
    for (;;) {
      const s = await store.status();
      if (s.delivery.delivered >= opts.events) break;
      if (s.delivery.dead > 0) throw new Error(`${s.delivery.dead} events dead-lettered during the drain`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - t0) / 1000;
    await worker.stop();
    const count = (await (await fetch(`${bucket.url}/count`)).json()) as { unique: number };
    if (count.unique !== opts.events) throw new Error(`the Bucket has ${count.unique} unique events, expected ${opts.events}`);
    await store.close();
    await loggers.close();
    return { events: opts.events, seconds, eventsPerSecond: opts.events / seconds };
  } finally {
    bucket.child.kill("SIGTERM");
    rmSync(root, { recursive: true, force: true });
  }
}

// Run alone: `npx tsx --conditions=development bench/drain.ts [events]` (default 100,000).
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const events = Number(process.argv[2] ?? 100_000);
  const r = await measureDrain({ events });
  console.log(
    `drained ${r.events.toLocaleString("en")} events in ${r.seconds.toFixed(1)} s: ${Math.round(r.eventsPerSecond).toLocaleString("en")} events/s`,
  );
}
