import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startTestBridge, type TestBridge } from "./bridge.js";

export type RunningBridge = TestBridge;

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A real bridge on a random port (see bridge.ts), configured by an environment. */
export const startBridge = (env: Record<string, string> = {}): Promise<RunningBridge> => startTestBridge({ env });

/** A port nothing listens on: bound, then released. */
export const closedPort = freePort;

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
