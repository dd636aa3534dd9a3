import { InsightEventDetail, StatusResponse } from "@bridge/shared";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { type DeliveryRig, manualClock, SECRET, seeded, startDeliveryRig, TOKEN, verifyWebhookSignature } from "./delivery-helpers.js";
import { eventually } from "./helpers.js";

let rig: DeliveryRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function post(url: string, n: number, module = "education"): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await request(url).post("/core/update").send({ module, data: { i } }).expect(200);
    ids.push(res.body.event_id as string);
  }
  return ids;
}

const status = async (url: string) => StatusResponse.parse((await request(url).get("/bucket/status").expect(200)).body).delivery;
const detail = async (url: string, id: string) =>
  InsightEventDetail.parse((await request(url).get(`/insight/events/${id}`).expect(200)).body);

describe("delivery worker against a mock Bucket", () => {
  it("when half of all attempts fail, then every event is delivered exactly once by id, with attempt numbers, key, token and a valid signature", async () => {
    // jitter 0: each retry is due at once, so the test waits for the Bucket only
    rig = await startDeliveryRig({ bucket: { failRate: 0.5, random: seeded(7) }, env: { DELIVERY_MAX_ATTEMPTS: "40" }, random: () => 0 });
    const { bridge, bucket } = rig;
    const ids = await post(bridge.url, 120);

    await eventually(async () => (await status(bridge.url)).delivered === 120, 20_000);
    const s = await status(bridge.url);
    expect(s).toMatchObject({ mode: "http", pending: 0, retrying: 0, delivered: 120, dead: 0, oldest_pending_age_seconds: null });
    expect(s.last_delivered_time).not.toBeNull();

    const count = bucket.count();
    expect(count.unique).toBe(120);
    expect(count.duplicates).toBe(0);
    expect(count.faulted).toBeGreaterThan(30);
    expect(new Set(bucket.events().map((e) => e.event_id))).toEqual(new Set(ids));

    for (const id of ids.slice(0, 30)) {
      const reqs = bucket.requests.filter((r) => r.eventId === id);
      // attempts 1..n, all failed with 503 but the last, which was stored
      expect(reqs.map((r) => r.attempt)).toEqual(reqs.map((_, i) => i + 1));
      expect(reqs.map((r) => r.status)).toEqual([...reqs.slice(1).map(() => 503), 200]);
      for (const r of reqs) {
        expect(r.headers["idempotency-key"]).toBe(id);
        expect(r.headers["webhook-id"]).toBe(id);
        expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
        expect(r.headers["content-type"]).toBe("application/json");
      }
      const e = await detail(bridge.url, id);
      expect(e.delivery_status).toBe("delivered");
      expect(e.attempts).toBe(reqs.length);
      expect(e.delivery_attempts.map((a) => a.outcome)).toEqual([...reqs.slice(1).map(() => "retry"), "delivered"]);
      expect(e.delivered_at).not.toBeNull();
      expect(e.delivery_latency_ms).toBeGreaterThanOrEqual(0);
    }

    const flow = bridge.logLines("insight/flow.log");
    const one = ids[0] as string;
    expect(flow.filter((l) => l.event_id === one && l.step === "delivered")).toHaveLength(1);
    expect(flow.filter((l) => l.event_id === one && l.step === "delivery_attempt")).toHaveLength(
      bucket.requests.filter((r) => r.eventId === one).length,
    );
    const metrics = (await request(bridge.url).get("/metrics").expect(200)).text;
    expect(metrics).toMatch(/^bridge_delivery_delivered_total 120$/m);
    expect(metrics).toMatch(/^bridge_delivery_queue_depth 0$/m);
  });

  it("when a delivery's signature is checked, then it verifies over the exact bytes and fails when one byte changes", async () => {
    rig = await startDeliveryRig();
    const [id] = await post(rig.bridge.url, 1);
    const bucket = rig.bucket;
    const req = await eventually(() => bucket.requests.find((r) => r.eventId === id && r.status === 200));
    const headers = {
      id: req.headers["webhook-id"],
      timestamp: req.headers["webhook-timestamp"],
      signature: req.headers["webhook-signature"],
    };
    expect(headers.signature).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verifyWebhookSignature({ secret: SECRET, headers, body: Buffer.from(req.body) })).toBeNull();
    const tampered = Buffer.from(req.body);
    tampered[tampered.length - 2] = (tampered[tampered.length - 2] as number) ^ 1;
    expect(verifyWebhookSignature({ secret: SECRET, headers, body: tampered })).toBe("no v1 signature matches");
    expect(JSON.parse(req.body)).toMatchObject({ event_id: id, module: "education", sequence: 1, data: { i: 0 } });
  });

  it("when the Bucket refuses connections, then events stay pending with the error and none is lost; when it is back, all are delivered", async () => {
    rig = await startDeliveryRig({ env: { DELIVERY_MAX_ATTEMPTS: "100" } });
    const { bridge, bucket } = rig;
    await bucket.goDown(60_000);
    const ids = await post(bridge.url, 25);

    const failed = await eventually(async () => {
      const e = await detail(bridge.url, ids[0] as string);
      return e.attempts >= 1 ? e : null;
    });
    expect(failed.delivery_status).toBe("retrying");
    expect(failed.last_error).toMatch(/ECONNREFUSED/);
    const down = await status(bridge.url);
    expect(down.pending + down.retrying).toBe(25);
    expect(down.delivered + down.dead).toBe(0);
    expect(down.oldest_pending_age_seconds).not.toBeNull();

    await bucket.up();
    await eventually(async () => (await status(bridge.url)).delivered === 25, 20_000);
    expect(new Set(bucket.events().map((e) => e.event_id))).toEqual(new Set(ids));
    expect((await status(bridge.url)).dead).toBe(0);
  });

  it("when the Bucket is down with a backlog, then the worker probes one attempt per pause instead of burning every event's attempts", async () => {
    const clock = manualClock();
    // base 1 s, cap 8 s: probe pauses of 1, 2, 4 s; the clock only moves when the test moves it
    rig = await startDeliveryRig({ clock, random: () => 0.5, env: { DELIVERY_BACKOFF_BASE_MS: "1000", DELIVERY_BACKOFF_MAX_MS: "8000" } });
    const { bridge, bucket, worker } = rig;
    await bucket.goDown(600_000);
    await post(bridge.url, 60);
    const attempted = async () => (await bridge.store.listEvents({ limit: 100 })).reduce((n, e) => n + e.attempts, 0);

    const tripped = await eventually(async () => {
      const st = worker.state();
      return st.consecutiveFailures >= 16 && st.inFlight === 0 && st.pausedUntil !== null ? st : null;
    });
    // attempts already in flight when it tripped failed too, yet the first pause is the first step
    expect((tripped.pausedUntil as number) - clock.now()).toBeLessThanOrEqual(1000);
    const before = await attempted();
    expect(before).toBeLessThan(60);
    expect((await status(bridge.url)).pending).toBeGreaterThan(0);

    clock.advance(1000);
    await eventually(async () => (await attempted()) === before + 1);
    expect((worker.state().pausedUntil as number) - clock.now()).toBe(2000);

    await bucket.up();
    clock.advance(60_000);
    await eventually(async () => (await status(bridge.url)).delivered === 60, 20_000);
    expect(bucket.count().unique).toBe(60);
    // every failed attempt was one before the trip or a probe; then one success per event
    expect(await attempted()).toBe(60 + before + 1);
  });

  it("when the Bucket answers a permanent 400, then the event is dead after one attempt with the reason; replayed after the fix, it is delivered", async () => {
    rig = await startDeliveryRig();
    const { bridge, bucket } = rig;
    bucket.faults.status = 400;
    const [id] = (await post(bridge.url, 1)) as [string];

    await eventually(async () => (await status(bridge.url)).dead === 1);
    const dead = await detail(bridge.url, id);
    expect(dead.delivery_status).toBe("dead");
    expect(dead.attempts).toBe(1);
    expect(dead.last_error).toMatch(/^permanent: HTTP 400/);
    expect(dead.delivery_attempts).toMatchObject([{ attempt: 1, outcome: "dead", http_status: 400 }]);
    expect(bucket.requests).toHaveLength(1);
    expect(await status(bridge.url)).toMatchObject({ pending: 0, retrying: 0, delivered: 0, dead: 1 });
    const listed = await request(bridge.url).get("/insight/events?status=dead").expect(200);
    expect(listed.body.events.map((e: { id: string }) => e.id)).toEqual([id]);

    bucket.faults.status = null;
    const replay = await request(bridge.url)
      .post("/bucket/replay")
      .send({ ids: [id] })
      .expect(200);
    expect(replay.body).toEqual({ queued: 1 });
    await eventually(async () => (await status(bridge.url)).delivered === 1);
    const done = await detail(bridge.url, id);
    expect(done.attempts).toBe(2);
    expect(done.delivery_attempts.map((a) => a.outcome)).toEqual(["dead", "delivered"]);
    expect(bucket.requests.map((r) => r.attempt)).toEqual([1, 2]);
    expect(await status(bridge.url)).toMatchObject({ pending: 0, retrying: 0, delivered: 1, dead: 0 });
    const steps = bridge
      .logLines("insight/flow.log")
      .filter((l) => l.event_id === id)
      .map((l) => l.step);
    expect(steps).toEqual(["accepted", "delivery_attempt", "dead_lettered", "replayed", "delivery_attempt", "delivered"]);
  });

  it("when the Bucket answers 429 with Retry-After, then the next attempt waits at least that long", async () => {
    const clock = manualClock();
    rig = await startDeliveryRig({ clock, random: () => 0 });
    const { bridge, bucket, worker } = rig;
    bucket.respondNext({ status: 429, retryAfterSeconds: 120 });
    const [id] = (await post(bridge.url, 1)) as [string];

    const first = await eventually(async () => {
      const e = await detail(bridge.url, id);
      return e.delivery_status === "retrying" ? e : null;
    });
    const firstAt = Date.parse(first.delivery_attempts[0]?.started_at ?? "");
    expect(Date.parse(first.next_attempt_at ?? "")).toBeGreaterThanOrEqual(firstAt + 120_000);
    expect(first.last_error).toMatch(/^HTTP 429/);
    expect(worker.state().pausedUntil).toBeGreaterThanOrEqual(firstAt + 120_000);

    // 1 s short of the Retry-After: several polls go by without a second request
    clock.advance(119_000);
    worker.wake();
    await new Promise((r) => setTimeout(r, 200));
    expect(bucket.requests).toHaveLength(1);

    clock.advance(1000);
    await eventually(async () => (await detail(bridge.url, id)).delivery_status === "delivered");
    const done = await detail(bridge.url, id);
    const secondAt = Date.parse(done.delivery_attempts[1]?.started_at ?? "");
    expect(secondAt - firstAt).toBeGreaterThanOrEqual(120_000);
    expect(bucket.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it("when the retry budget runs out, then the event is dead-lettered with the last error after exactly DELIVERY_MAX_ATTEMPTS attempts", async () => {
    rig = await startDeliveryRig({ env: { DELIVERY_MAX_ATTEMPTS: "3" }, random: () => 0 });
    const { bridge, bucket } = rig;
    bucket.faults.status = 503;
    const [id] = (await post(bridge.url, 1)) as [string];
    await eventually(async () => (await status(bridge.url)).dead === 1);
    const e = await detail(bridge.url, id);
    expect(e.attempts).toBe(3);
    expect(e.last_error).toMatch(/^gave up after 3 attempts: HTTP 503/);
    expect(e.delivery_attempts.map((a) => a.outcome)).toEqual(["retry", "retry", "dead"]);
    expect(bucket.requests).toHaveLength(3);
  });

  it("when the worker stops while an attempt waits on a slow Bucket, then the claim is released and the event is pending, unattempted", async () => {
    rig = await startDeliveryRig({ bucket: { latencyMs: 3000 } });
    const { bridge, bucket, worker } = rig;
    const [id] = (await post(bridge.url, 1)) as [string];
    await eventually(() => bucket.requests.length === 1);
    await worker.stop({ graceMs: 50 });
    const e = await detail(bridge.url, id);
    expect(e.delivery_status).toBe("pending");
    expect(e.attempts).toBe(0);
    // released, so due at once: another worker's claim gets it now, not after the lease
    const claimed = await bridge.store.claimDeliveries({ now: Date.now(), limit: 10, leaseMs: 1000, token: "other" });
    expect(claimed.map((c) => c.id)).toEqual([id]);
  });
});
