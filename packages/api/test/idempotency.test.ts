import { request as httpRequest } from "node:http";
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

const post = (key: string | undefined, body: unknown) => {
  const r = request(bridge.url).post("/core/update");
  if (key !== undefined) r.set("Idempotency-Key", key);
  return r.send(body as object);
};

describe("Idempotency-Key on POST /core/update", () => {
  it("when a request is retried with the same key and body, then it answers the first response and counts once", async () => {
    const first = await post("order-1", SEED_BODY).expect(200);
    const second = await post("order-1", SEED_BODY).expect(200);
    expect(second.body).toEqual(first.body);
    expect(second.headers["idempotent-replayed"]).toBe("true");
    const status = await request(bridge.url).get("/bucket/status");
    expect(status.body.total_sync_count).toBe(1);
    const events = await request(bridge.url).get("/insight/events");
    expect(events.body.events).toHaveLength(1);
  });

  it("when the same key comes with another body, then it is refused with 422 naming the header", async () => {
    await post("order-2", SEED_BODY).expect(200);
    const res = await post("order-2", { ...SEED_BODY, data: { other: true } }).expect(422);
    expect(res.body.code).toBe("idempotency_key_reused");
    expect(res.body.errors[0].field).toBe("header.idempotency-key");
    expect((await request(bridge.url).get("/bucket/status")).body.total_sync_count).toBe(1);
  });

  it("when different keys carry the same body, then each counts", async () => {
    await post("a", SEED_BODY).expect(200);
    await post("b", SEED_BODY).expect(200);
    expect((await request(bridge.url).get("/bucket/status")).body.total_sync_count).toBe(2);
  });

  it.each([["x".repeat(256)], ["tab\tkey"], ["ключ"]])("when the key is %j, then it is refused with 422 naming the header", async (key) => {
    const res = await request(bridge.url)
      .post("/core/update")
      .set("content-type", "application/json")
      .set("Idempotency-Key", Buffer.from(key, "utf8").toString("latin1"))
      .send(JSON.stringify(SEED_BODY));
    expect(res.status).toBe(422);
    expect(res.body.errors[0].field).toBe("header.idempotency-key");
  });

  it("when a second request arrives while the first with the same key is still being sent, then it gets 409 and the first still lands", async () => {
    const url = new URL(bridge.url);
    const body = JSON.stringify(SEED_BODY);
    // first request: headers and half the body, the rest later
    const first = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: "POST",
          path: "/core/update",
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "idempotency-key": "slow-1" },
        },
        (res) => {
          let text = "";
          res.on("data", (c) => {
            text += c;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, 10));
      setTimeout(() => req.end(body.slice(10)), 300);
    });
    await new Promise((r) => setTimeout(r, 100));
    const second = await post("slow-1", SEED_BODY);
    expect(second.status).toBe(409);
    expect(second.body.code).toBe("idempotency_in_flight");
    expect(second.headers["retry-after"]).toBeDefined();
    const done = await first;
    expect(done.status).toBe(200);
    // after the first finished, a retry replays it
    const third = await post("slow-1", SEED_BODY).expect(200);
    expect(third.body.event_id).toBe(JSON.parse(done.body).event_id);
  });
});

describe("Idempotency-Key fingerprints the content, not the bytes", () => {
  it("when a retry re-serialises the body with other key order and spacing, then it is still a replay", async () => {
    const first = await request(bridge.url)
      .post("/core/update")
      .set("content-type", "application/json")
      .set("Idempotency-Key", "reorder-1")
      .send('{"module":"education","data":{"a":1,"b":{"c":2,"d":3}}}')
      .expect(200);
    const again = await request(bridge.url)
      .post("/core/update")
      .set("content-type", "application/json")
      .set("Idempotency-Key", "reorder-1")
      .send('{ "data": { "b": { "d": 3, "c": 2 }, "a": 1 },\n  "module": "education" }')
      .expect(200);
    expect(again.body).toEqual(first.body);
    expect((await request(bridge.url).get("/bucket/status")).body.total_sync_count).toBe(1);
  });

  it("when the header is sent twice, then it is refused rather than merged into one key", async () => {
    // node's client merges repeated headers, so speak HTTP on a raw socket
    const { connect } = await import("node:net");
    const body = JSON.stringify(SEED_BODY);
    const port = Number(new URL(bridge.url).port);
    const answer = await new Promise<string>((resolve, reject) => {
      let text = "";
      const socket = connect(port, "127.0.0.1", () => {
        socket.write(
          `POST /core/update HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
            `Idempotency-Key: one\r\nIdempotency-Key: two\r\nConnection: close\r\n\r\n${body}`,
        );
      });
      socket.on("data", (c) => {
        text += c;
      });
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    const status = Number(answer.split(" ")[1]);
    expect(answer).toContain('"field":"header.idempotency-key"');
    expect(status).toBe(422);
    expect((await request(bridge.url).get("/bucket/status")).body.total_sync_count).toBe(0);
  });
});
