import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startMockBucket } from "./bucket-server.js";

const HELP = `pnpm mock:bucket [options]

A mock Bucket: receives the bridge's deliveries (POST to any path), verifies signatures, dedups by
Idempotency-Key, keeps every unique event in a JSONL file, and injects faults.

  GET  /count            unique events, requests, duplicates, faulted, rejected, per module
  GET  /events           unique events received (?module=, ?limit= up to 10000, ?offset=)
  POST /_control/down?ms=10000    refuse connections for ms milliseconds (default 10000), then listen again
  POST /_control/faults  {"failRate":0.5,"status":null,"latencyMs":0,"rateLimit":null} (any of them)
  A wrong control request changes nothing and gets 400 or 422 naming each field:
    {"error":"outage not started","errors":[{"field":"ms","message":"must be a whole number of milliseconds, ..."}]}

Options:
  --port N            port to listen on (default 9000; 0 = any free port)
  --host H            address (default 127.0.0.1)
  --secret S          verify Standard Webhooks signatures with S (BUCKET_SIGNING_SECRET); bad ones get 401
  --token T           require Authorization: Bearer T (BUCKET_TOKEN)
  --file F            JSONL of unique events (default <repo>/data/mock-bucket/received.jsonl)
  --reset             start empty (truncate the file) instead of loading it
  --fail-rate R       answer a share R (0-1) of deliveries 503
  --status CODE       answer every delivery with CODE (e.g. 400, 500; a 2xx stores it)
  --latency MS        wait MS before answering
  --down-for MS       refuse connections for MS after start, then listen
  --rate-limit N      accept N deliveries per second; more get 429 with Retry-After: 1
  --help              this text

Prints "READY http://127.0.0.1:<port>" on stdout once it accepts connections.
Then point the bridge at it: BUCKET_URL=http://127.0.0.1:<port>/ingest
`;

function repoRoot(): string {
  let dir = resolve(process.cwd());
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

function num(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) {
    process.stderr.write(`--${name} must be a number from ${min} to ${max} (got ${JSON.stringify(v)})\n`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string" },
        host: { type: "string" },
        secret: { type: "string" },
        token: { type: "string" },
        file: { type: "string" },
        reset: { type: "boolean" },
        "fail-rate": { type: "string" },
        status: { type: "string" },
        latency: { type: "string" },
        "down-for": { type: "string" },
        "rate-limit": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const str = (k: string) => values[k] as string | undefined;
  const port = num("port", str("port"), 0, 65535) ?? 9000;
  const file = str("file") ? resolve(str("file") as string) : join(repoRoot(), "data", "mock-bucket", "received.jsonl");
  const status = num("status", str("status"), 100, 599);
  const rateLimit = num("rate-limit", str("rate-limit"), 1, 1_000_000);
  const downForMs = num("down-for", str("down-for"), 0, 86_400_000);
  if (downForMs) process.stdout.write(`DOWN refusing connections for ${downForMs} ms\n`);
  const bucket = await startMockBucket({
    port,
    host: str("host") ?? "127.0.0.1",
    secret: str("secret") ?? null,
    token: str("token") ?? null,
    file,
    reset: values.reset === true,
    failRate: num("fail-rate", str("fail-rate"), 0, 1) ?? 0,
    status: status ?? null,
    latencyMs: num("latency", str("latency"), 0, 600_000) ?? 0,
    rateLimit: rateLimit ?? null,
    ...(downForMs ? { downForMs } : {}),
  });
  await bucket.whenUp();
  process.stdout.write(`READY ${bucket.url}\n`);
  process.stderr.write(`mock Bucket: ${bucket.count().unique} events loaded from ${file}; faults ${JSON.stringify(bucket.faults)}\n`);

  const stop = async () => {
    await bucket.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((err) => {
  process.stderr.write(`mock Bucket failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
