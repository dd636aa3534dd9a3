import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StorageUnavailableError } from "../src/storage/event-store.js";
import { SqliteEventStore } from "../src/storage/sqlite/sqlite-store.js";
import { MIGRATIONS } from "../src/storage/sqlite/migrations.js";
import { tempRoot } from "./helpers.js";
import { storageContract } from "./storage-contract.js";

storageContract("sqlite (real file)", async (mode) => {
  const path = join(tempRoot("bridge-store-"), "data", "bridge.db");
  const holder = { store: new SqliteEventStore({ path, deliveryMode: mode }) };
  return {
    store: holder.store,
    reopen: async () => {
      await holder.store.close();
      holder.store = new SqliteEventStore({ path, deliveryMode: mode });
      return holder.store;
    },
  };
});

describe("SqliteEventStore specifics", () => {
  it("when opened, then the file is in WAL mode and at the latest migration", () => {
    const path = join(tempRoot("bridge-store-"), "bridge.db");
    const store = new SqliteEventStore({ path, deliveryMode: "http" });
    expect(store.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(store.db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    store.db.close();
  });

  it("when status is read, then no statement scans the events table, whatever its size", async () => {
    const path = join(tempRoot("bridge-store-"), "bridge.db");
    const store = new SqliteEventStore({ path, deliveryMode: "http" });
    const plans = () =>
      store.statusStatements.flatMap((sql) =>
        (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail),
      );
    const small = plans();
    // grow the table and let the planner see real statistics
    await Promise.all(
      Array.from({ length: 5000 }, (_, i) => {
        const id = `e${i}`;
        return store.ingest({
          id,
          module: `m${i % 5}`,
          sessionId: "s",
          receivedAt: 1_700_000_000_000 + i,
          latencyMs: 1,
          sizeBytes: 1,
          dataJson: "{}",
          response: { status: "success", timestamp: "2026-01-01T00:00:00Z", session_id: "s", message: "m", event_id: id },
        });
      }),
    );
    store.db.exec("ANALYZE");
    const large = plans();
    expect(large).toEqual(small);
    for (const detail of large) {
      // only primary-key lookups or scans of the small counter tables
      expect(detail).not.toMatch(/SCAN (e|events)\b/);
      expect(detail).not.toMatch(/USE TEMP B-TREE/);
    }
    expect((await store.status()).totalCount).toBe(5000);
    await store.close();
  });

  it("when the store has been closed, then calls fail as storage unavailable, not as a bug", async () => {
    const path = join(tempRoot("bridge-store-"), "bridge.db");
    const store = new SqliteEventStore({ path, deliveryMode: "embedded" });
    await store.close();
    await expect(store.status()).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(store.checkWritable()).rejects.toBeInstanceOf(StorageUnavailableError);
  });
});
