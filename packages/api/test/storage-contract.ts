import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DeliveryMode, EventStore, NewEvent } from "../src/storage/event-store.js";

/**
 * The storage contract: every EventStore backend must pass this suite. SQLite runs it in
 * sqlite-store.test.ts; a PostgreSQL backend would call it with its own factory.
 */
export function storageContract(
  name: string,
  open: (mode: DeliveryMode) => Promise<{ store: EventStore; reopen: () => Promise<EventStore> }>,
) {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let reopen: () => Promise<EventStore>;
    let t = Date.parse("2026-01-01T00:00:00Z");

    const event = (over: Partial<NewEvent> = {}): NewEvent => {
      t += 1000;
      const id = randomUUID();
      return {
        id,
        module: "education",
        sessionId: "s1",
        receivedAt: t,
        latencyMs: 1.5,
        sizeBytes: 20,
        dataJson: '{"a":1}',
        response: { status: "success", timestamp: new Date(t).toISOString(), session_id: "s1", message: "m", event_id: id },
        ...over,
      };
    };

    describe("in http mode", () => {
      beforeEach(async () => {
        ({ store, reopen } = await open("http"));
      });
      afterEach(async () => {
        await store.close();
      });

      it("when events are ingested, then counters, per-module sequences and pending delivery follow", async () => {
        const a = await store.ingest(event({ module: "education" }));
        const b = await store.ingest(event({ module: "education" }));
        const c = await store.ingest(event({ module: "finance" }));
        expect([a, b, c].map((o) => (o.kind === "created" ? o.event.moduleSeq : -1))).toEqual([1, 2, 1]);
        const s = await store.status();
        expect(s.totalCount).toBe(3);
        expect(s.modules.map((m) => [m.module, m.count])).toEqual([
          ["education", 2],
          ["finance", 1],
        ]);
        expect(s.delivery.pending).toBe(3);
        expect(s.delivery.delivered).toBe(0);
        expect(s.delivery.oldestPendingAt).toBe(a.kind === "created" ? a.event.receivedAt : -1);
      });

      it("when updates arrive together and one of them fails, then it alone is refused and the others are stored", async () => {
        const a = event();
        const clash = event({ id: a.id });
        const c = event();
        const results = await Promise.allSettled([store.ingest(a), store.ingest(clash), store.ingest(c)]);
        expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
        const s = await store.status();
        expect(s.totalCount).toBe(2);
        expect(s.modules).toEqual([expect.objectContaining({ module: "education", count: 2 })]);
        expect(s.delivery.pending).toBe(2);
        expect((await store.listEvents({ limit: 10 })).map((e) => e.id)).toEqual([c.id, a.id]);
      });

      it("when many updates are handed over at once, then each gets its own outcome and all are counted", async () => {
        const events = Array.from({ length: 1500 }, () => event());
        const outcomes = await Promise.all(events.map((e) => store.ingest(e)));
        expect(outcomes.every((o) => o.kind === "created")).toBe(true);
        expect((await store.status()).totalCount).toBe(1500);
        store = await reopen();
        expect((await store.status()).totalCount).toBe(1500);
      });

      it("when the same idempotency key comes with the same fingerprint, then the first response is replayed and counted once", async () => {
        const first = event({ idempotency: { key: "k1", fingerprint: "f1" } });
        await store.ingest(first);
        const again = await store.ingest(event({ idempotency: { key: "k1", fingerprint: "f1" } }));
        expect(again).toEqual({ kind: "replayed", response: first.response });
        const other = await store.ingest(event({ idempotency: { key: "k1", fingerprint: "f2" } }));
        expect(other.kind).toBe("key_reused");
        expect((await store.status()).totalCount).toBe(1);
      });

      it("when idempotency keys are purged by age, then only the old ones go and a purged key counts anew", async () => {
        const old = event({ idempotency: { key: "old", fingerprint: "f" } });
        await store.ingest(old);
        await store.ingest(event({ idempotency: { key: "new", fingerprint: "f" } }));
        expect(await store.purgeIdempotencyKeys(old.receivedAt + 1)).toBe(1);
        expect((await store.ingest(event({ idempotency: { key: "old", fingerprint: "f" } }))).kind).toBe("created");
        expect((await store.ingest(event({ idempotency: { key: "new", fingerprint: "f" } }))).kind).toBe("replayed");
      });

      it("when listing, then events come newest first with keyset pages, filters and time bounds", async () => {
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) {
          const e = event({ module: i % 2 === 0 ? "education" : "finance" });
          ids.push(e.id);
          await store.ingest(e);
        }
        const page1 = await store.listEvents({ limit: 3 });
        expect(page1.map((e) => e.id)).toEqual(ids.slice(4).reverse());
        const page2 = await store.listEvents({ limit: 3, beforeSeq: page1[2]?.seq as number });
        expect(page2.map((e) => e.id)).toEqual(ids.slice(1, 4).reverse());
        const fin = await store.listEvents({ limit: 10, module: "finance" });
        expect(fin.map((e) => e.id)).toEqual([ids[5], ids[3], ids[1]]);
        const all = await store.listEvents({ limit: 10 });
        const mid = all.find((e) => e.id === ids[3]);
        const since = await store.listEvents({ limit: 10, since: mid?.receivedAt as number });
        expect(since.map((e) => e.id)).toEqual(ids.slice(3).reverse());
        const until = await store.listEvents({ limit: 10, until: mid?.receivedAt as number });
        expect(until.map((e) => e.id)).toEqual(ids.slice(0, 4).reverse());
        expect(await store.listEvents({ limit: 10, status: "delivered" })).toEqual([]);
        expect((await store.listEvents({ limit: 10, status: "pending" })).length).toBe(7);
      });

      it("when an event is fetched by id, then its data comes back byte for byte", async () => {
        const e = event({ dataJson: '{"__proto__":{"x":1},"emoji":"\u{1F600}","n":1.5e300}' });
        await store.ingest(e);
        const d = await store.getEvent(e.id);
        expect(d?.dataJson).toBe(e.dataJson);
        expect(d?.attemptsLog).toEqual([]);
        expect(await store.getEvent("no-such-id")).toBeNull();
      });

      it("when summarising, then rollups hold counts, latency sums and histograms per bucket and module", async () => {
        const base = Date.parse("2026-02-01T10:00:00Z");
        await store.ingest(event({ receivedAt: base + 5_000, latencyMs: 0.2 }));
        await store.ingest(event({ receivedAt: base + 10_000, latencyMs: 3 }));
        await store.ingest(event({ receivedAt: base + 70_000, latencyMs: 3, module: "finance" }));
        const rows = await store.summary(base, base + 120_000, 60_000);
        expect(rows.map((r) => [r.bucketStart - base, r.module, r.count, r.latencySum])).toEqual([
          [0, "education", 2, 3.2],
          [60_000, "finance", 1, 3],
        ]);
        expect(rows[0]?.histogram.reduce((a, b) => a + b, 0)).toBe(2);
        expect(await store.summary(base, base + 120_000, 60_000, "finance")).toHaveLength(1);
        // 15-minute buckets come from the quarter rollup and hold the same totals
        const quarters = await store.summary(base, base + 3_600_000, 900_000);
        expect(quarters.map((r) => [r.bucketStart - base, r.module, r.count, r.latencySum])).toEqual([
          [0, "education", 2, 3.2],
          [0, "finance", 1, 3],
        ]);
        // 2-minute buckets group minute rows
        const pairs = await store.summary(base, base + 240_000, 120_000);
        expect(pairs.map((r) => [r.bucketStart - base, r.module, r.count])).toEqual([
          [0, "education", 2],
          [0, "finance", 1],
        ]);
      });

      it("when the store is closed and reopened, then everything is still there", async () => {
        const e = event();
        await store.ingest(e);
        store = await reopen();
        expect((await store.status()).totalCount).toBe(1);
        expect((await store.getEvent(e.id))?.id).toBe(e.id);
      });

      it("when it is open, then it reports itself writable", async () => {
        await expect(store.checkWritable()).resolves.toBeUndefined();
      });
    });

    describe("in embedded mode", () => {
      beforeEach(async () => {
        ({ store, reopen } = await open("embedded"));
      });
      afterEach(async () => {
        await store.close();
      });

      it("when an event is ingested, then it counts as delivered at once and leaves no outbox work", async () => {
        const e = event();
        await store.ingest(e);
        const s = await store.status();
        expect(s.delivery).toMatchObject({ pending: 0, delivered: 1, oldestPendingAt: null, lastDeliveredAt: e.receivedAt });
        expect((await store.getEvent(e.id))?.deliveryStatus).toBe("delivered");
      });
    });
  });
}
