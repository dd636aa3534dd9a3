import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp, createLoggers, loadConfig, SqliteEventStore } from "@bridge/api";

export interface RunningBridge {
  url: string;
  root: string;
  close(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A real bridge, as main.ts composes it: config from an environment, SQLite and logs in a temp folder,
 * listening on a random port. */
export async function startBridge(env: Record<string, string> = {}): Promise<RunningBridge> {
  const root = tempDir("automation-bridge-");
  const config = loadConfig({ BRIDGE_ROOT: root, PORT: "0", ...env });
  const loggers = createLoggers(config.log);
  const store = new SqliteEventStore({ path: config.databasePath, deliveryMode: config.bucketUrl ? "http" : "embedded" });
  const app = createApp({ config, store, loggers });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    root,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      await loggers.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", () => resolve()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A server that acknowledges every update but whose status never changes: a stale cache in front of
 * the bridge, say. The check must notice that the test update was not counted. */
export async function startStaleBridge(): Promise<{ url: string; close(): Promise<void> }> {
  const status = {
    last_sync_time: "2026-01-01T00:00:00.000Z",
    total_sync_count: 3,
    module_sync_counts: { automation: 3 },
    module_last_sync_time: { automation: "2026-01-01T00:00:00.000Z" },
    delivery: {
      mode: "embedded",
      pending: 0,
      retrying: 0,
      delivered: 3,
      dead: 0,
      oldest_pending_age_seconds: null,
      last_delivered_time: "2026-01-01T00:00:00.000Z",
    },
  };
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (req.method === "POST") {
        res.end(
          JSON.stringify({
            status: "success",
            timestamp: new Date().toISOString(),
            session_id: "s",
            message: "Data received and logged for module automation",
            event_id: "stale-1",
          }),
        );
      } else res.end(JSON.stringify(status));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
