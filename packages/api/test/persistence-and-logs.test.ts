import { CoreSyncLogLine, FlowLogLine } from "@bridge/shared";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { SEED_BODY, eventually, startBridge, tempRoot } from "./helpers.js";

describe("persistence", () => {
  it("when the bridge restarts on the same root, then counts, events and idempotency keys survive", async () => {
    const root = tempRoot();
    const a = await startBridge({ root });
    const first = await request(a.url).post("/core/update").set("Idempotency-Key", "keep-me").send(SEED_BODY).expect(200);
    await request(a.url)
      .post("/core/update")
      .send({ module: "finance", data: { amount: 1 } })
      .expect(200);
    await a.close();

    const b = await startBridge({ root });
    const status = await request(b.url).get("/bucket/status").expect(200);
    expect(status.body.total_sync_count).toBe(2);
    expect(status.body.module_sync_counts).toEqual({ education: 1, finance: 1 });
    const detail = await request(b.url).get(`/insight/events/${first.body.event_id}`).expect(200);
    expect(detail.body.data).toEqual(SEED_BODY.data);
    const replay = await request(b.url).post("/core/update").set("Idempotency-Key", "keep-me").send(SEED_BODY).expect(200);
    expect(replay.body).toEqual(first.body);
    expect((await request(b.url).get("/bucket/status")).body.total_sync_count).toBe(2);
    await b.close({ remove: true });
  });
});

describe("logs", () => {
  it("when updates are accepted and refused, then core_sync.log and flow.log get one JSON line each, without secrets or payloads", async () => {
    const bridge = await startBridge();
    const secret = "Bearer sk-very-secret-token-123";
    const accepted = await request(bridge.url)
      .post("/core/update")
      .set("Authorization", secret)
      .send({ module: "education", data: { learner: "payload-marker-abc" }, session_id: "sess-1" })
      .expect(200);
    await request(bridge.url).post("/core/update").set("Authorization", secret).send({ module: "bad module", data: {} }).expect(422);

    const core = await eventually(() => {
      const lines = bridge.logLines("logs/core_sync.log");
      return lines.length >= 2 ? lines : null;
    });
    expect(core).toHaveLength(2);
    const [ok, refused] = core.map((l) => CoreSyncLogLine.parse(l));
    expect(ok).toMatchObject({
      outcome: "accepted",
      status: 200,
      module: "education",
      session_id: "sess-1",
      event_id: accepted.body.event_id,
      level: "info",
    });
    expect(ok?.bytes).toBeGreaterThan(0);
    expect(refused).toMatchObject({ outcome: "refused", status: 422, error_code: "validation_failed", event_id: null, level: "warn" });

    const flow = await eventually(() => {
      const lines = bridge.logLines("insight/flow.log");
      return lines.length >= 1 ? lines : null;
    });
    expect(flow.map((l) => FlowLogLine.parse(l))).toMatchObject([
      { step: "accepted", event_id: accepted.body.event_id, module: "education" },
    ]);

    await bridge.close();
    const text = JSON.stringify([bridge.logLines("logs/core_sync.log"), bridge.logLines("insight/flow.log")]);
    expect(text).not.toContain("sk-very-secret-token-123");
    expect(text).not.toContain("payload-marker-abc");
    for (const line of core) expect(String(line.timestamp)).toMatch(/Z$/);
  });

  it("when a log file reaches its size cap, then it rotates and keeps at most LOG_MAX_FILES files", async () => {
    const bridge = await startBridge({ env: { LOG_MAX_SIZE: "2kb", LOG_MAX_FILES: "2" } });
    for (let i = 0; i < 60; i++) await request(bridge.url).post("/core/update").send(SEED_BODY).expect(200);
    await bridge.close();
    const { readdirSync, statSync } = await import("node:fs");
    const files = readdirSync(`${bridge.root}/logs`).filter((f) => f.startsWith("core_sync"));
    expect(files.sort()).toEqual(["core_sync.log", "core_sync1.log"]);
    for (const f of files) expect(statSync(`${bridge.root}/logs/${f}`).size).toBeLessThanOrEqual(2048 + 512);
  });
});
