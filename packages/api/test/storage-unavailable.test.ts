import request from "supertest";
import { describe, expect, it } from "vitest";
import { SEED_BODY, startBridge } from "./helpers.js";

describe("storage unavailable", () => {
  it("when the store is gone, then ingest and status answer 503 with Retry-After and readyz says not ready", async () => {
    const bridge = await startBridge();
    await request(bridge.url).post("/core/update").send(SEED_BODY).expect(200);
    await bridge.store.close();
    const res = await request(bridge.url).post("/core/update").send(SEED_BODY).expect(503);
    expect(res.headers["retry-after"]).toBe("5");
    expect(res.body.code).toBe("storage_unavailable");
    expect(JSON.stringify(res.body)).not.toMatch(/sqlite|\.ts:|at /i);
    expect((await request(bridge.url).get("/bucket/status").expect(503)).body.code).toBe("storage_unavailable");
    const ready = await request(bridge.url).get("/readyz").expect(503);
    expect(ready.body.checks.storage.ok).toBe(false);
    await bridge.close({ remove: true });
  });
});
