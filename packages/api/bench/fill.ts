import { uuidv7 } from "../src/ingest/ingest-service.js";
import type { DeliveryMode } from "../src/storage/event-store.js";
import { SqliteEventStore } from "../src/storage/sqlite/sqlite-store.js";

const MODULES = ["education", "finance", "creative", "inventory", "hr"];

/**
 * Fill a store with `count` events spread evenly over the last `spanMs`, through the store's own
 * ingest (same statements, counters and rollups as the api, group-committed). In "http" mode every
 * event is left pending in the outbox, a backlog for the delivery worker. Returns the seconds taken.
 */
export async function fillStore(
  path: string,
  count: number,
  spanMs: number,
  now = Date.now(),
  mode: DeliveryMode = "embedded",
): Promise<number> {
  const store = new SqliteEventStore({ path, deliveryMode: mode });
  const start = now - spanMs;
  const t0 = performance.now();
  const batch = 10_000;
  for (let done = 0; done < count; done += batch) {
    const n = Math.min(batch, count - done);
    // handed over together, they are committed in groups like concurrent requests
    const writes: Array<Promise<unknown>> = [];
    for (let i = 0; i < n; i++) {
      const k = done + i;
      const receivedAt = Math.floor(start + (spanMs * k) / count);
      const id = uuidv7(receivedAt);
      writes.push(
        store.ingest({
          id,
          module: MODULES[k % MODULES.length] as string,
          sessionId: `bench-${Math.floor(k / 1000)}`,
          receivedAt,
          latencyMs: 0.3 + ((k * 7919) % 1000) / 250,
          sizeBytes: 120,
          dataJson: `{"k":${k},"course":"math-101","score":0.${k % 100}}`,
          response: { status: "success", timestamp: new Date(receivedAt).toISOString(), session_id: "b", message: "m", event_id: id },
        }),
      );
    }
    await Promise.all(writes);
  }
  store.db.pragma("wal_checkpoint(TRUNCATE)");
  store.db.exec("ANALYZE");
  await store.close();
  return (performance.now() - t0) / 1000;
}
