import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../src/app.js";
import type { Clock } from "../src/clock.js";
import { type Config, loadConfig } from "../src/config.js";
import { createServer } from "../src/http/server.js";
import { createLoggers, type Loggers } from "../src/logging/loggers.js";
import { SqliteEventStore } from "../src/storage/sqlite/sqlite-store.js";

export interface TestBridge {
  url: string;
  root: string;
  config: Config;
  store: SqliteEventStore;
  loggers: Loggers;
  app: ReturnType<typeof createApp>;
  server: Server;
  /** Parsed JSON lines of a log file under the root, e.g. "logs/core_sync.log". */
  logLines(file: string): Array<Record<string, unknown>>;
  /** Stop the server and close storage and logs; keeps the folder unless `remove`. */
  close(opts?: { remove?: boolean }): Promise<void>;
}

export function tempRoot(prefix = "bridge-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A real bridge: Express app, SQLite file and log files in a temp folder, listening on a random port. */
export async function startBridge(opts: { env?: Record<string, string>; root?: string; clock?: Clock } = {}): Promise<TestBridge> {
  const root = opts.root ?? tempRoot();
  const config = loadConfig({ BRIDGE_ROOT: root, PORT: "0", ...opts.env });
  const loggers = createLoggers(config.log);
  const store = new SqliteEventStore({ path: config.databasePath, deliveryMode: config.bucketUrl ? "http" : "embedded" });
  const app = createApp({ config, store, loggers, ...(opts.clock ? { clock: opts.clock } : {}) });
  const server: Server = await new Promise((resolve) => {
    // the same server settings as main.ts (header size, request deadlines, parser errors as JSON)
    const s = createServer(app, config).listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    root,
    config,
    store,
    loggers,
    app,
    server,
    logLines(file) {
      let text = "";
      try {
        text = readFileSync(join(root, file), "utf8");
      } catch {
        return [];
      }
      return text
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    async close({ remove = false } = {}) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      await loggers.close();
      if (remove) rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Wait until `check` returns a truthy value (log files are written asynchronously). */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const SEED_BODY = { module: "education", data: { course: "math-101", lesson: 3, score: 0.92 } };
