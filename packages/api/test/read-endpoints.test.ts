import { EventsPage, InsightEventDetail, ProblemDetails, StatusResponse, SummaryResponse } from "@bridge/shared";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Clock } from "../src/clock.js";
import { type TestBridge, startBridge } from "./helpers.js";

let bridge: TestBridge;
const clock: Clock & { t: number } = { t: Date.parse("2026-03-01T12:00:30Z"), now: () => clock.t };
const ids: string[] = [];

beforeAll(async () => {
  bridge = await startBridge({ clock });
  // 12 events, 20 s apart, alternating modules: 4 minutes of history
  for (let i = 0; i < 12; i++) {
    const module = ["education", "finance", "creative"][i % 3] as string;
    const res = await request(bridge.url).post("/core/update").send({ module, data: { i } }).expect(200);
    ids.push(res.body.event_id);
    clock.t += 20_000;
  }
});
afterAll(async () => {
  await bridge.close({ remove: true });
});

describe("GET /bucket/status", () => {
  it("when events exist, then it shows the seed's fields, per-module last sync and the delivery summary", async () => {
    const res = await request(bridge.url).get("/bucket/status").expect(200);
    const s = StatusResponse.parse(res.body);
    expect(s.total_sync_count).toBe(12);
    expect(s.module_sync_counts).toEqual({ creative: 4, education: 4, finance: 4 });
    expect(s.last_sync_time).toBe(new Date(Date.parse("2026-03-01T12:00:30Z") + 11 * 20_000).toISOString());
    expect(s.delivery).toMatchObject({ mode: "embedded", delivered: 12, pending: 0, dead: 0 });
  });
});

describe("GET /insight/events", () => {
  it("when paging with the cursor, then every event is seen once, newest first", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await request(bridge.url)
        .get("/insight/events")
        .query({ limit: 5, ...(cursor ? { cursor } : {}) })
        .expect(200);
      const page = EventsPage.parse(res.body);
      seen.push(...page.events.map((e) => e.id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it("when filtered by module and time, then only matching events come back", async () => {
    const res = await request(bridge.url).get("/insight/events").query({ module: "finance" }).expect(200);
    expect(res.body.events.map((e: { module: string }) => e.module)).toEqual(["finance", "finance", "finance", "finance"]);
    const since = new Date(Date.parse("2026-03-01T12:00:30Z") + 8 * 20_000).toISOString();
    const recent = await request(bridge.url).get("/insight/events").query({ since }).expect(200);
    expect(recent.body.events.map((e: { id: string }) => e.id)).toEqual(ids.slice(8).reverse());
    // the same instant written with an offset selects the same events
    const offset = new Date(Date.parse(since) + 3600_000).toISOString().replace("Z", "+01:00");
    const withOffset = await request(bridge.url).get("/insight/events").query({ since: offset }).expect(200);
    expect(withOffset.body.events.map((e: { id: string }) => e.id)).toEqual(ids.slice(8).reverse());
    const none = await request(bridge.url).get("/insight/events").query({ status: "dead" }).expect(200);
    expect(none.body).toEqual({ events: [], next_cursor: null });
  });

  it.each([
    [{ limit: "0" }, "query.limit"],
    [{ limit: "100000" }, "query.limit"],
    [{ status: "lost" }, "query.status"],
    [{ since: "yesterday" }, "query.since"],
    [{ cursor: "not a cursor!" }, "query.cursor"],
    [{ cursor: "Zm9v" }, "query.cursor"],
    [{ module: "bad module" }, "query.module"],
    [{ colour: "red" }, "query.colour"],
  ])("when the query is %j, then it answers 400 naming %s", async (query, field) => {
    const res = await request(bridge.url).get("/insight/events").query(query).expect(400);
    const p = ProblemDetails.parse(res.body);
    expect(p.code).toBe("invalid_query");
    expect(p.errors?.map((e) => e.field)).toContain(field);
  });

  it("when a parameter is repeated, then it answers 400 rather than guessing", async () => {
    const res = await request(bridge.url).get("/insight/events?module=a&module=b").expect(400);
    expect(res.body.errors[0].field).toBe("query.module");
  });
});

describe("GET /insight/events/:id", () => {
  it("when the id exists, then it returns the event with its data and delivery attempts", async () => {
    const res = await request(bridge.url).get(`/insight/events/${ids[4]}`).expect(200);
    const e = InsightEventDetail.parse(res.body);
    expect(e).toMatchObject({ id: ids[4], module: "finance", data: { i: 4 }, sequence: 2, delivery_attempts: [] });
  });
  it("when the id is unknown, then 404 problem", async () => {
    const res = await request(bridge.url).get("/insight/events/nope").expect(404);
    expect(res.body.code).toBe("not_found");
  });
});

describe("GET /insight/summary", () => {
  it("when asked for 15 minutes, then it returns 15 one-minute buckets with per-module counts that add up", async () => {
    const res = await request(bridge.url).get("/insight/summary").query({ window: "15m" }).expect(200);
    const s = SummaryResponse.parse(res.body);
    expect(s.bucket_seconds).toBe(60);
    expect(s.buckets).toHaveLength(15);
    expect(s.modules).toEqual(["creative", "education", "finance"]);
    expect(s.totals.count).toBe(12);
    expect(s.buckets.reduce((a, b) => a + b.count, 0)).toBe(12);
    expect(s.totals.per_module.finance?.count).toBe(4);
    expect(s.totals.latency_avg_ms).toBeGreaterThan(0);
    expect(s.totals.latency_p95_ms).toBeGreaterThanOrEqual(0);
    expect(s.delivery).toMatchObject({ mode: "embedded", delivered: 12, pending: 0, retrying: 0, dead: 0 });
    // events at :30, :50, :10 … land in their minutes
    const nonEmpty = s.buckets.filter((b) => b.count > 0).map((b) => [b.start.slice(11, 16), b.count]);
    expect(nonEmpty).toEqual([
      ["12:00", 2],
      ["12:01", 3],
      ["12:02", 3],
      ["12:03", 3],
      ["12:04", 1],
    ]);
  });
  it("when the window is unknown, then 400 naming window", async () => {
    const res = await request(bridge.url).get("/insight/summary").query({ window: "1y" }).expect(400);
    expect(res.body.errors[0].field).toBe("query.window");
  });
});

describe("operations endpoints", () => {
  it("when probed, then healthz and readyz answer ok and name their checks", async () => {
    expect((await request(bridge.url).get("/healthz").expect(200)).body.status).toBe("ok");
    const ready = await request(bridge.url).get("/readyz").expect(200);
    expect(ready.body).toMatchObject({
      status: "ready",
      checks: { storage: { ok: true }, core_sync_log: { ok: true }, flow_log: { ok: true } },
    });
  });

  it("when scraped, then /metrics has request counts by route, the latency histogram and ingest outcomes", async () => {
    await request(bridge.url).post("/core/update").send({ module: "x", data: [] }).expect(422);
    const text = (await request(bridge.url).get("/metrics").expect(200)).text;
    expect(text).toMatch(/bridge_http_requests_total\{method="POST",route="\/core\/update",status="200"\} 12/);
    expect(text).toMatch(/bridge_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/insight\/events"\}/);
    expect(text).toMatch(/bridge_ingest_total\{outcome="accepted"\} 12/);
    expect(text).toMatch(/bridge_ingest_total\{outcome="refused"\} 1/);
  });

  it("when /openapi.json is fetched, then it documents every route with schemas generated from the shared contract", async () => {
    const doc = (await request(bridge.url).get("/openapi.json").expect(200)).body;
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/core/update",
        "/bucket/status",
        "/insight/events",
        "/insight/events/{id}",
        "/insight/summary",
        "/healthz",
        "/readyz",
        "/metrics",
      ]),
    );
    const ingest = doc.components.schemas.IngestRequest;
    expect(ingest.required).toEqual(expect.arrayContaining(["module", "data"]));
    expect(ingest.properties.module.maxLength).toBe(64);
    expect(ingest.additionalProperties).toBe(false);
  });

  it("when a route gets the wrong method, then 405 with Allow", async () => {
    const res = await request(bridge.url).put("/bucket/status").expect(405);
    expect(res.headers.allow).toBe("GET, HEAD");
    expect(res.body.code).toBe("method_not_allowed");
    expect((await request(bridge.url).get("/core/update").expect(405)).headers.allow).toBe("POST");
  });

  it("when the route does not exist, then a JSON 404, never HTML", async () => {
    const res = await request(bridge.url).get("/insight/nope").expect(404);
    expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
  });
});
