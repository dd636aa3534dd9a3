import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp, createLoggers, loadConfig, SqliteEventStore } from "@bridge/api";
import { StatusResponse } from "@bridge/shared";

export interface TestBridge {
  url: string;
  root: string;
  status(): Promise<StatusResponse>;
  close(): Promise<void>;
}

/**
 * A real bridge, as main.ts composes it: config from an environment, SQLite and logs in a temp
 * folder, listening on `port` (0: a random one). Shared by the emitter and automation tests.
 */
export async function startTestBridge(opts: { port?: number; env?: Record<string, string> } = {}): Promise<TestBridge> {
  const root = mkdtempSync(join(tmpdir(), "mock-modules-bridge-"));
  const config = loadConfig({ BRIDGE_ROOT: root, PORT: "0", ...opts.env });
  const loggers = createLoggers(config.log);
  const store = new SqliteEventStore({ path: config.databasePath, deliveryMode: config.bucketUrl ? "http" : "embedded" });
  const app = createApp({ config, store, loggers });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(opts.port ?? 0, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    root,
    async status() {
      const res = await fetch(`${url}/bucket/status`);
      return StatusResponse.parse(await res.json());
    },
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
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", () => resolve()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
