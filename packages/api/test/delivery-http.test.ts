import { ProblemDetails, ReplayResponse } from "@bridge/shared";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";
import { eventually, startBridge, type TestBridge } from "./helpers.js";

let bridge: TestBridge | undefined;
afterEach(async () => {
  await bridge?.close({ remove: true });
  bridge = undefined;
});

/** An http-mode bridge whose Bucket is never contacted (no worker runs here). */
const startHttpBridge = () => startBridge({ env: { BUCKET_URL: "http://127.0.0.1:9/ingest" } });

async function deadLetters(b: TestBridge, modules: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const module of modules) ids.push((await request(b.url).post("/core/update").send({ module, data: {} }).expect(200)).body.event_id);
  const claimed = await b.store.claimDeliveries({ now: Date.now() + 1000, limit: 100, leaseMs: 1000, token: "t" });
  await b.store.recordAttempts(
    claimed.map((c) => ({
      seq: c.seq,
      claimToken: "t",
      attempt: 1,
      startedAt: Date.now(),
      durationMs: 1,
      httpStatus: 422,
      error: "permanent: HTTP 422",
      outcome: { kind: "dead" as const },
    })),
  );
  return ids;
}

describe("POST /bucket/replay", () => {
  it("when dead letters are replayed by module, then the answer counts them, status moves them to pending and the flow log says replayed", async () => {
    bridge = await startHttpBridge();
    const ids = await deadLetters(bridge, ["education", "finance", "finance"]);
    expect((await request(bridge.url).get("/bucket/status").expect(200)).body.delivery).toMatchObject({ dead: 3, pending: 0 });

    const res = await request(bridge.url).post("/bucket/replay").send({ module: "finance" }).expect(200);
    expect(ReplayResponse.parse(res.body)).toEqual({ queued: 2 });
    expect((await request(bridge.url).get("/bucket/status").expect(200)).body.delivery).toMatchObject({ dead: 1, pending: 2 });
    const b = bridge;
    const replayed = await eventually(() => {
      const lines = b.logLines("insight/flow.log").filter((l) => l.step === "replayed");
      return lines.length === 2 ? lines : null;
    });
    expect(replayed.map((l) => l.event_id).sort()).toEqual([ids[1], ids[2]].sort());

    const all = await request(bridge.url).post("/bucket/replay").send({ all: true }).expect(200);
    expect(all.body).toEqual({ queued: 1 });
    const again = await request(bridge.url).post("/bucket/replay").send({ all: true }).expect(200);
    expect(again.body).toEqual({ queued: 0 });
    const metrics = (await request(bridge.url).get("/metrics").expect(200)).text;
    expect(metrics).toMatch(/^bridge_delivery_replayed_total 3$/m);
    expect(metrics).toMatch(/^bridge_delivery_queue_depth 3$/m);
    expect(metrics).toMatch(/^bridge_delivery_oldest_pending_age_seconds \d/m);
  });

  it("when dead letters are replayed by time range, then only those received inside it are queued", async () => {
    bridge = await startHttpBridge();
    await deadLetters(bridge, ["education", "education"]);
    const future = new Date(Date.now() + 3600_000).toISOString();
    await request(bridge.url).post("/bucket/replay").send({ since: future }).expect(200, { queued: 0 });
    const past = new Date(Date.now() - 3600_000).toISOString();
    await request(bridge.url).post("/bucket/replay").send({ since: past, until: future }).expect(200, { queued: 2 });
  });

  const bad: Array<{ name: string; body: string; type?: string; status: number; code: string; field: string }> = [
    { name: "an empty selector", body: "{}", status: 422, code: "validation_failed", field: "body" },
    { name: "all: false", body: '{"all":false}', status: 422, code: "validation_failed", field: "all" },
    { name: "an unknown field", body: '{"modul":"x"}', status: 422, code: "validation_failed", field: "modul" },
    {
      name: "since after until",
      body: '{"since":"2026-02-01T00:00:00Z","until":"2026-01-01T00:00:00Z"}',
      status: 422,
      code: "validation_failed",
      field: "since",
    },
    { name: "a non-ISO since", body: '{"since":"yesterday"}', status: 422, code: "validation_failed", field: "since" },
    { name: "ids that are not strings", body: '{"ids":[1]}', status: 422, code: "validation_failed", field: "ids.0" },
    { name: "an empty ids list", body: '{"ids":[]}', status: 422, code: "validation_failed", field: "ids" },
    { name: "malformed JSON", body: '{"all":', status: 400, code: "malformed_json", field: "body" },
    { name: "a text body", body: "all", type: "text/plain", status: 415, code: "unsupported_media_type", field: "header.content-type" },
  ];
  for (const c of bad) {
    it(`when the body is ${c.name}, then it answers ${c.status} naming ${c.field} and queues nothing`, async () => {
      bridge ??= await startHttpBridge();
      await deadLetters(bridge, ["education"]);
      const res = await request(bridge.url)
        .post("/bucket/replay")
        .set("content-type", c.type ?? "application/json")
        .send(c.body)
        .expect(c.status);
      const problem = ProblemDetails.parse(res.body);
      expect(problem.code).toBe(c.code);
      expect(problem.errors?.map((e) => e.field)).toContain(c.field);
      expect((await request(bridge.url).get("/bucket/status").expect(200)).body.delivery.dead).toBe(1);
    });
  }

  it("when API keys are configured, then replay takes an admin key: none is 401, a module key 403, an admin key 200", async () => {
    bridge = await startBridge({
      env: {
        BUCKET_URL: "http://127.0.0.1:9/ingest",
        BRIDGE_API_KEYS: "writer-key-0123456789abcdef:education,admin-key-0123456789abcdef:admin",
      },
    });
    await request(bridge.url).post("/bucket/replay").send({ all: true }).expect(401);
    await request(bridge.url)
      .post("/bucket/replay")
      .set("authorization", "Bearer writer-key-0123456789abcdef")
      .send({ all: true })
      .expect(403);
    await request(bridge.url)
      .post("/bucket/replay")
      .set("authorization", "Bearer admin-key-0123456789abcdef")
      .send({ all: true })
      .expect(200, { queued: 0 });
  });

  it("when replay is called with GET, then it answers 405 with Allow: POST", async () => {
    bridge = await startHttpBridge();
    const res = await request(bridge.url).get("/bucket/replay").expect(405);
    expect(res.headers.allow).toBe("POST");
  });
});

describe("delivery configuration", () => {
  const load = (env: Record<string, string>) => () => loadConfig({ BRIDGE_ROOT: "/tmp/x", ...env });

  it("when nothing is set, then the documented defaults apply", () => {
    expect(loadConfig({ BRIDGE_ROOT: "/tmp/x" }).delivery).toEqual({
      worker: "in-process",
      token: null,
      signingSecret: null,
      maxAttempts: 15,
      backoffBaseMs: 1000,
      backoffMaxMs: 600_000,
      concurrency: 16,
      timeoutMs: 10_000,
      claimTtlMs: 60_000,
      pollIntervalMs: 100,
    });
  });

  it("when the claim lease is shorter than two timeouts, then start-up fails naming both variables", () => {
    expect(load({ DELIVERY_TIMEOUT_MS: "30000", DELIVERY_CLAIM_TTL_MS: "40000" })).toThrow(
      /DELIVERY_CLAIM_TTL_MS=40000: .*DELIVERY_TIMEOUT_MS/,
    );
  });

  it("when a delivery number is out of range, then start-up fails naming it", () => {
    expect(load({ DELIVERY_CONCURRENCY: "0" })).toThrow(ConfigError);
    expect(load({ DELIVERY_MAX_ATTEMPTS: "many" })).toThrow(/DELIVERY_MAX_ATTEMPTS/);
    expect(load({ DELIVERY_BACKOFF_BASE_MS: "5000", DELIVERY_BACKOFF_MAX_MS: "1000" })).toThrow(/DELIVERY_BACKOFF_MAX_MS=1000/);
    expect(load({ DELIVERY_WORKER: "sometimes" })).toThrow(/DELIVERY_WORKER/);
  });

  it("when the signing secret or token is invalid, then start-up fails naming it without printing its value", () => {
    const secret = "whsec_short";
    let message = "";
    try {
      load({ BUCKET_SIGNING_SECRET: secret, BUCKET_TOKEN: "has space" })();
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/BUCKET_SIGNING_SECRET=\(value hidden\)/);
    expect(message).toMatch(/BUCKET_TOKEN=\(value hidden\)/);
    expect(message).not.toContain(secret);
    expect(message).not.toContain("has space");
  });
});
