import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp, createLoggers, loadConfig, SqliteEventStore } from "@bridge/api";
import { IngestResponse } from "@bridge/shared";

/** A real bridge api in this process: Express app, SQLite file and logs under a temp BRIDGE_ROOT. */
export interface RunningApi {
  url: string;
  port: number;
  root: string;
  /** POST /core/update; resolves with the parsed answer. */
  post(module: string, data?: Record<string, unknown>, sessionId?: string, headers?: Record<string, string>): Promise<IngestResponse>;
  /** Stop listening and close storage and logs; the root (and its data) stays for a restart. */
  stop(): Promise<void>;
}

export function tempRoot(prefix = "dashboard-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeRoot(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/**
 * Start the api. `port` 0 picks a free one; pass the port of a stopped api to start it again on
 * the same address (the dashboard in the page keeps polling that address).
 */
export async function startApi(opts: { root?: string; port?: number; env?: Record<string, string> } = {}): Promise<RunningApi> {
  const root = opts.root ?? tempRoot();
  const config = loadConfig({ BRIDGE_ROOT: root, PORT: String(opts.port ?? 0), LOG_LEVEL: "warn", ...opts.env });
  const loggers = createLoggers(config.log);
  const store = new SqliteEventStore({ path: config.databasePath, deliveryMode: config.bucketUrl ? "http" : "embedded" });
  const app = createApp({ config, store, loggers });
  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  return {
    url,
    port,
    root,
    async post(module, data = { n: 1 }, sessionId, headers = {}) {
      const res = await fetch(`${url}/core/update`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ module, data, ...(sessionId ? { session_id: sessionId } : {}) }),
      });
      if (!res.ok) throw new Error(`POST /core/update answered ${res.status}: ${await res.text()}`);
      return IngestResponse.parse(await res.json());
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      await loggers.close();
    },
  };
}
