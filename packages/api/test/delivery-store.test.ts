import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { DeliveryStatus } from "@bridge/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AttemptRecord, NewEvent } from "../src/storage/event-store.js";
import { SqliteEventStore } from "../src/storage/sqlite/sqlite-store.js";
import { tempRoot } from "./helpers.js";

let path: string;
let store: SqliteEventStore;
const T0 = Date.parse("2026-03-01T00:00:00Z");

function newEvent(module: string, receivedAt: number): NewEvent {
  const id = randomUUID();
  return {
    id,
    module,
    sessionId: "s",
    receivedAt,
    latencyMs: 1,
    sizeBytes: 10,
    dataJson: '{"k":1}',
    response: { status: "success", timestamp: new Date(receivedAt).toISOString(), session_id: "s", message: "m", event_id: id },
  };
}

async function ingest(n: number, module = "education", start = T0): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const e = newEvent(module, start + i * 1000);
    await store.ingest(e);
    ids.push(e.id);
  }
  return ids;
}

/** The counters status() reports must equal a real count of the events, whatever happened. */
function assertCountersExact(): void {
  const real = Object.fromEntries(
    (
      store.db.prepare("SELECT delivery_status AS s, count(*) AS n FROM events GROUP BY 1").all() as Array<{ s: DeliveryStatus; n: number }>
    ).map((r) => [r.s, r.n]),
  );
  const counters = Object.fromEntries(
    (store.db.prepare("SELECT status, count FROM delivery_counters").all() as Array<{ status: string; count: number }>).map((r) => [
      r.status,
      r.count,
    ]),
  );
  for (const s of ["pending", "retrying", "delivered", "dead"]) expect(counters[s], s).toBe(real[s] ?? 0);
  const outbox = (store.db.prepare("SELECT count(*) AS n FROM outbox").get() as { n: number }).n;
  expect(outbox).toBe((real.pending ?? 0) + (real.retrying ?? 0));
}

const recordAttempt = async (rec: AttemptRecord) => (await store.recordAttempts([rec]))[0];

beforeEach(() => {
  path = join(tempRoot("bridge-delivery-store-"), "bridge.db");
  store = new SqliteEventStore({ path, deliveryMode: "http" });
});
afterEach(async () => {
  await store.close();
});

describe("delivery storage", () => {
  it("when rows are claimed, then only due, unclaimed rows come back, oldest first, and a lease that runs out makes them due again", async () => {
    const ids = await ingest(3);
    const a = await store.claimDeliveries({ now: T0 + 10_000, limit: 2, leaseMs: 60_000, token: "a" });
    expect(a.map((c) => c.id)).toEqual(ids.slice(0, 2));
    expect(a.map((c) => c.attempt)).toEqual([1, 1]);
    expect(a[0]).toMatchObject({ module: "education", moduleSeq: 1, dataJson: '{"k":1}', claimToken: "a", attemptOffset: 0 });
    const b = await store.claimDeliveries({ now: T0 + 10_000, limit: 10, leaseMs: 60_000, token: "b" });
    expect(b.map((c) => c.id)).toEqual([ids[2]]);
    expect(await store.claimDeliveries({ now: T0 + 69_999, limit: 10, leaseMs: 60_000, token: "c" })).toEqual([]);
    // a worker that crashed holding "a" never records: its rows come back when the lease ends
    const c = await store.claimDeliveries({ now: T0 + 70_000, limit: 10, leaseMs: 60_000, token: "c" });
    expect(c.map((x) => x.id).sort()).toEqual([...ids].sort());
    assertCountersExact();
  });

  it("when a failure is recorded with a stale claim, then it is logged but moves nothing; a late success still counts once", async () => {
    const [id] = (await ingest(1)) as [string];
    const [old] = await store.claimDeliveries({ now: T0, limit: 1, leaseMs: 1000, token: "old" });
    const [cur] = await store.claimDeliveries({ now: T0 + 5000, limit: 1, leaseMs: 1000, token: "new" });
    if (!old || !cur) throw new Error("claims expected");
    const fail = { attempt: 1, startedAt: T0, durationMs: 5, httpStatus: 503, error: "HTTP 503" };
    const stale = await recordAttempt({ ...fail, seq: old.seq, claimToken: "old", outcome: { kind: "retry", nextAttemptAt: T0 + 99 } });
    expect(stale).toEqual({ applied: false, status: "pending" });
    const late = await recordAttempt({
      ...fail,
      seq: old.seq,
      claimToken: "old",
      httpStatus: 200,
      error: null,
      outcome: { kind: "delivered", deliveredAt: T0 + 6000 },
    });
    expect(late).toEqual({ applied: true, status: "delivered" });
    const again = await recordAttempt({
      ...fail,
      attempt: 2,
      seq: cur.seq,
      claimToken: "new",
      httpStatus: 200,
      error: null,
      outcome: { kind: "delivered", deliveredAt: T0 + 7000 },
    });
    expect(again?.applied).toBe(false);
    const e = await store.getEvent(id);
    expect(e).toMatchObject({ deliveryStatus: "delivered", deliveredAt: T0 + 6000, deliveryLatencyMs: 6000 });
    expect((await store.status()).delivery).toMatchObject({ pending: 0, delivered: 1, lastDeliveredAt: T0 + 6000, oldestPendingAt: null });
    assertCountersExact();
  });

  it("when an event goes pending → retrying → dead → replayed → delivered, then every counter is exact at every step", async () => {
    const ids = await ingest(4);
    const step = async (now: number, kind: "retry" | "dead" | "delivered") => {
      const claimed = await store.claimDeliveries({ now, limit: 10, leaseMs: 1000, token: `t${now}` });
      for (const c of claimed) {
        await recordAttempt({
          seq: c.seq,
          claimToken: c.claimToken,
          attempt: c.attempt,
          startedAt: now,
          durationMs: 1,
          httpStatus: kind === "delivered" ? 200 : 500,
          error: kind === "delivered" ? null : "HTTP 500",
          outcome: kind === "retry" ? { kind, nextAttemptAt: now + 100 } : kind === "dead" ? { kind } : { kind, deliveredAt: now },
        });
      }
      assertCountersExact();
      return claimed;
    };
    await step(T0 + 10_000, "retry");
    expect((await store.status()).delivery).toMatchObject({ pending: 0, retrying: 4 });
    expect(await step(T0 + 10_050, "retry")).toEqual([]); // not due yet
    await step(T0 + 10_100, "dead");
    expect((await store.status()).delivery).toMatchObject({ retrying: 0, dead: 4 });
    const e = await store.getEvent(ids[0] as string);
    expect(e).toMatchObject({ deliveryStatus: "dead", attempts: 2, lastError: "HTTP 500", nextAttemptAt: null });

    expect(await store.replayDead({ ids: [ids[0] as string, "no-such-id"] }, T0 + 20_000)).toHaveLength(1);
    expect((await store.status()).delivery).toMatchObject({ pending: 1, dead: 3 });
    assertCountersExact();
    const [again] = await step(T0 + 20_000, "delivered");
    // the replay keeps numbering attempts and starts a fresh budget from there
    expect(again).toMatchObject({ attempt: 3, attemptOffset: 2 });
    expect((await store.getEvent(ids[0] as string))?.attemptsLog.map((a) => a.outcome)).toEqual(["retry", "dead", "delivered"]);
    expect((await store.status()).delivery).toMatchObject({ pending: 0, delivered: 1, dead: 3 });
  });

  it("when dead letters are replayed by module, by time range or all, then exactly those are queued; an empty selector queues none", async () => {
    const edu = await ingest(3, "education", T0);
    const fin = await ingest(3, "finance", T0 + 100_000);
    const claimed = await store.claimDeliveries({ now: T0 + 200_000, limit: 10, leaseMs: 1000, token: "t" });
    for (const c of claimed) {
      await recordAttempt({
        seq: c.seq,
        claimToken: "t",
        attempt: 1,
        startedAt: 0,
        durationMs: 1,
        httpStatus: 400,
        error: "HTTP 400",
        outcome: { kind: "dead" },
      });
    }
    expect((await store.status()).delivery.dead).toBe(6);
    expect(await store.replayDead({}, T0)).toEqual([]);
    const byRange = await store.replayDead({ since: T0 + 1000, until: T0 + 101_000 }, T0 + 300_000);
    expect(byRange.map((r) => r.id)).toEqual([edu[1], edu[2], fin[0], fin[1]]);
    const byModule = await store.replayDead({ module: "finance" }, T0 + 300_000);
    expect(byModule.map((r) => r.id)).toEqual([fin[2]]);
    const rest = await store.replayDead({ all: true }, T0 + 300_000);
    expect(rest.map((r) => r.id)).toEqual([edu[0]]);
    expect(await store.replayDead({ all: true }, T0 + 300_000)).toEqual([]);
    expect((await store.status()).delivery).toMatchObject({ pending: 6, dead: 0 });
    assertCountersExact();
  });

  it("when the store is reopened, then retry state is where it was and a retry that came due while it was closed is claimed with its next attempt number", async () => {
    const ids = await ingest(2);
    const [first] = await store.claimDeliveries({ now: T0 + 5000, limit: 1, leaseMs: 1000, token: "t" });
    if (!first) throw new Error("claim expected");
    await recordAttempt({
      seq: first.seq,
      claimToken: "t",
      attempt: 1,
      startedAt: T0 + 5000,
      durationMs: 3,
      httpStatus: null,
      error: "ECONNREFUSED",
      outcome: { kind: "retry", nextAttemptAt: T0 + 4000 },
    });
    await store.close();
    store = new SqliteEventStore({ path, deliveryMode: "http" });
    const e = await store.getEvent(ids[0] as string);
    expect(e).toMatchObject({ deliveryStatus: "retrying", attempts: 1, lastError: "ECONNREFUSED", nextAttemptAt: T0 + 4000 });
    const claimed = await store.claimDeliveries({ now: T0 + 60_000, limit: 10, leaseMs: 1000, token: "after-restart" });
    expect(claimed.map((c) => [c.id, c.attempt])).toEqual([
      [ids[0], 2],
      [ids[1], 1],
    ]);
    assertCountersExact();
  });
});
