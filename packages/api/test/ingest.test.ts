import { IngestResponse, ProblemDetails } from "@bridge/shared";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SEED_BODY, type TestBridge, startBridge } from "./helpers.js";

let bridge: TestBridge;
beforeEach(async () => {
  bridge = await startBridge();
});
afterEach(async () => {
  await bridge.close({ remove: true });
});

describe("POST /core/update", () => {
  it("when the seed's example body is posted, then it answers the seed's shape plus event_id and counts it", async () => {
    const res = await request(bridge.url).post("/core/update").send(SEED_BODY).expect(200);
    const body = IngestResponse.parse(res.body);
    expect(body.status).toBe("success");
    expect(body.message).toBe("Data received and logged for module education");
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(body.session_id).toMatch(/^[0-9a-f-]{36}$/);
    const status = await request(bridge.url).get("/bucket/status").expect(200);
    expect(status.body.total_sync_count).toBe(1);
    expect(status.body.module_sync_counts).toEqual({ education: 1 });
    expect(status.body.last_sync_time).toBe(body.timestamp);
  });

  it("when a session_id is given, then the answer keeps it", async () => {
    const res = await request(bridge.url)
      .post("/core/update")
      .send({ ...SEED_BODY, session_id: "run-7" })
      .expect(200);
    expect(res.body.session_id).toBe("run-7");
  });

  it("when the body is accepted, then the event's data reads back exactly, prototype keys included", async () => {
    const raw =
      '{"module":"finance","data":{"__proto__":{"admin":true},"constructor":{"prototype":1},"amount":{"minor":1250,"currency":"EUR"}}}';
    const res = await request(bridge.url).post("/core/update").set("content-type", "application/json").send(raw).expect(200);
    const detail = await request(bridge.url).get(`/insight/events/${res.body.event_id}`).expect(200);
    expect(JSON.stringify(detail.body.data)).toBe(JSON.stringify(JSON.parse(raw).data));
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});

describe("POST /core/update with bad input", () => {
  const cases: Array<{ name: string; body: string; type?: string; status: number; code: string; field: string }> = [
    { name: "malformed JSON", body: '{"module":"a",', status: 400, code: "malformed_json", field: "body" },
    { name: "an empty body", body: "", status: 400, code: "malformed_json", field: "body" },
    { name: "a missing module", body: '{"data":{}}', status: 422, code: "validation_failed", field: "module" },
    { name: "a module with a space", body: '{"module":"a b","data":{}}', status: 422, code: "validation_failed", field: "module" },
    {
      name: "a 65-char module",
      body: JSON.stringify({ module: "m".repeat(65), data: {} }),
      status: 422,
      code: "validation_failed",
      field: "module",
    },
    { name: "data as an array", body: '{"module":"a","data":[1]}', status: 422, code: "validation_failed", field: "data" },
    { name: "data as null", body: '{"module":"a","data":null}', status: 422, code: "validation_failed", field: "data" },
    {
      name: "a numeric session_id",
      body: '{"module":"a","data":{},"session_id":5}',
      status: 422,
      code: "validation_failed",
      field: "session_id",
    },
    {
      name: "a session_id with CR/LF",
      body: '{"module":"a","data":{},"session_id":"x\\r\\ny"}',
      status: 422,
      code: "validation_failed",
      field: "session_id",
    },
    {
      name: "an unknown field",
      body: '{"module":"a","data":{},"sesion_id":"x"}',
      status: 422,
      code: "validation_failed",
      field: "sesion_id",
    },
    { name: "a top-level array", body: "[]", status: 422, code: "validation_failed", field: "body" },
    {
      name: "text/plain",
      body: '{"module":"a","data":{}}',
      type: "text/plain",
      status: 415,
      code: "unsupported_media_type",
      field: "header.content-type",
    },
    {
      name: "a latin-1 charset",
      body: '{"module":"a","data":{}}',
      type: "application/json; charset=latin1",
      status: 415,
      code: "unsupported_media_type",
      field: "header.content-type",
    },
    {
      name: "a body over the limit",
      body: JSON.stringify({ module: "a", data: { x: "y".repeat(1024 * 1024) } }),
      status: 413,
      code: "payload_too_large",
      field: "body",
    },
    {
      name: "a number too large for a double",
      body: '{"module":"a","data":{"n":{"m":[1,1e400]}}}',
      status: 422,
      code: "validation_failed",
      field: "data.n.m[1]",
    },
    {
      name: "data nested 40 deep",
      body: `{"module":"a","data":${'{"a":'.repeat(40)}1${"}".repeat(40)}}`,
      status: 422,
      code: "validation_failed",
      field: "data",
    },
  ];

  it.each(cases)("when the body is $name, then it answers $status $code naming $field, counts nothing, logs a refusal", async (c) => {
    const res = await request(bridge.url)
      .post("/core/update")
      .set("content-type", c.type ?? "application/json")
      .send(c.body);
    expect(res.status).toBe(c.status);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    const problem = ProblemDetails.parse(res.body);
    expect(problem.code).toBe(c.code);
    expect(problem.errors?.map((e) => e.field)).toContain(c.field);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
    const status = await request(bridge.url).get("/bucket/status");
    expect(status.body.total_sync_count).toBe(0);
  });
});

describe("event ids", () => {
  it("when updates are accepted one after another, then their ids are UUIDv7 and sort in arrival order", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await request(bridge.url).post("/core/update").send(SEED_BODY).expect(200);
      ids.push(res.body.event_id);
      await new Promise((r) => setTimeout(r, 2));
    }
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
  });
});
