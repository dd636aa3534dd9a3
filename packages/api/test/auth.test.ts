import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { ProblemDetails } from "@bridge/shared";
import request from "supertest";
import winston from "winston";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startBridge, type TestBridge } from "./helpers.js";

const key = () => randomBytes(32).toString("hex");
const K = {
  education: key(),
  finance: key(),
  eduFin: key(),
  all: key(),
  admin: key(),
  readScope: key(),
  read: key(),
};
/** Looks like a real key, differs from K.education in its last character only. */
const nearMiss = `${K.education.slice(0, -1)}${K.education.endsWith("0") ? "1" : "0"}`;

let bridge: TestBridge;
const appLog: string[] = [];

beforeAll(async () => {
  bridge = await startBridge({
    env: {
      BRIDGE_API_KEYS: [
        `${K.education}:education`,
        `${K.finance}:finance`,
        `${K.eduFin}:education|finance`,
        `${K.all}:*`,
        `${K.admin}:admin`,
        `${K.readScope}:read`,
      ].join(","),
      BRIDGE_READ_KEYS: K.read,
      RATE_LIMIT_PER_MINUTE: "0",
    },
  });
  // capture the process's own log (stderr) as well, to search it for keys
  bridge.loggers.app.add(
    new winston.transports.Stream({
      stream: new Writable({
        write(chunk, _enc, cb) {
          appLog.push(String(chunk));
          cb();
        },
      }),
    }),
  );
});
afterAll(async () => {
  await bridge?.close({ remove: true });
});

const auth = (k: string) => ({ Authorization: `Bearer ${k}` });
const update = (module: string) => ({ module, data: { n: 1 } });

async function expectProblem(res: request.Response, status: number, code: string): Promise<void> {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  expect(ProblemDetails.parse(res.body).code).toBe(code);
  if (status === 401) expect(res.headers["www-authenticate"]).toMatch(/^Bearer /);
}

async function total(): Promise<number> {
  const res = await request(bridge.url).get("/bucket/status").set(auth(K.read)).expect(200);
  return res.body.total_sync_count as number;
}

describe("POST /core/update with API keys configured", () => {
  it.each([
    ["no key", {}],
    ["an unknown key", auth(key())],
    ["a key one character off a real one", auth(nearMiss)],
    ["a real key under the Basic scheme", { Authorization: `Basic ${K.education}` }],
    ["a bearer header without a key", { Authorization: "Bearer " }],
    ["a key with a trailing word", { Authorization: `Bearer ${K.education} extra` }],
  ])("when it carries %s, then it is refused with 401 and nothing is stored", async (_name, headers) => {
    const before = await total();
    const res = await request(bridge.url).post("/core/update").set(headers).send(update("education"));
    await expectProblem(res, 401, "unauthenticated");
    expect(await total()).toBe(before);
  });

  it("when the key has no valid value, then the refusal comes before the body is read (401, not 413)", async () => {
    const res = await request(bridge.url)
      .post("/core/update")
      .set(auth(nearMiss))
      .set("content-type", "application/json")
      .send(JSON.stringify({ module: "education", data: { x: "y".repeat(2 * 1024 * 1024) } }));
    await expectProblem(res, 401, "unauthenticated");
  });

  it.each([
    ["education", "education", 200],
    ["education", "finance", 403],
    ["finance", "finance", 200],
    ["finance", "education", 403],
    ["eduFin", "education", 200],
    ["eduFin", "finance", 200],
    ["eduFin", "creative", 403],
    ["all", "creative", 200],
    ["all", "any-new-module", 200],
    // scopes are a Set: a module named like an Object.prototype member is not in every scope
    ["education", "constructor", 403],
    ["education", "hasOwnProperty", 403],
    ["admin", "education", 403],
    ["readScope", "education", 403],
    ["read", "education", 403],
  ] as const)("when the %s key writes module %s, then it answers %i", async (who, module, status) => {
    const before = await total();
    const res = await request(bridge.url).post("/core/update").set(auth(K[who])).send(update(module));
    if (status === 200) {
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(await total()).toBe(before + 1);
    } else {
      await expectProblem(res, 403, "forbidden");
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain("module");
      expect(await total()).toBe(before);
    }
  });

  it("when the scheme is written in lower case, then the key is accepted", async () => {
    await request(bridge.url)
      .post("/core/update")
      .set({ Authorization: `bearer ${K.education}` })
      .send(update("education"))
      .expect(200);
  });

  it("when a module key writes outside its scope, then the refusal is logged with the key's fingerprint and no key", async () => {
    const res = await request(bridge.url).post("/core/update").set(auth(K.education)).send(update("finance")).expect(403);
    const line = await eventually(() => bridge.logLines("logs/core_sync.log").find((l) => l.request_id === res.headers["x-request-id"]));
    expect(line).toMatchObject({ outcome: "refused", status: 403, error_code: "forbidden", module: "finance" });
    expect(line.key_id).toMatch(/^key-[0-9a-f]{12}$/);
  });
});

describe("every route with keys configured", () => {
  let eventId: string;
  beforeAll(async () => {
    const res = await request(bridge.url).post("/core/update").set(auth(K.all)).send(update("creative")).expect(200);
    eventId = res.body.event_id;
  });

  const reads = () => ["/bucket/status", "/insight/events", `/insight/events/${eventId}`, "/insight/summary", "/metrics"];

  it("when a read endpoint is called with no key or an unknown key, then it answers 401", async () => {
    for (const path of reads()) {
      await expectProblem(await request(bridge.url).get(path), 401, "unauthenticated");
      await expectProblem(await request(bridge.url).get(path).set(auth(key())), 401, "unauthenticated");
      await expectProblem(await request(bridge.url).get(path).set(auth(nearMiss)), 401, "unauthenticated");
    }
  });

  it("when a read endpoint is called with a module key, then it answers 403", async () => {
    for (const path of reads()) {
      for (const k of [K.education, K.all]) await expectProblem(await request(bridge.url).get(path).set(auth(k)), 403, "forbidden");
    }
  });

  it("when a read endpoint is called with a read key, a read-scoped key or an admin key, then it answers 200", async () => {
    for (const path of reads()) {
      for (const k of [K.read, K.readScope, K.admin]) {
        const res = await request(bridge.url).get(path).set(auth(k));
        expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
      }
    }
  });

  it("when the admin-only replay is called with no key or an unknown key, then it answers 401", async () => {
    await expectProblem(await request(bridge.url).post("/bucket/replay").send({ all: true }), 401, "unauthenticated");
    await expectProblem(await request(bridge.url).post("/bucket/replay").set(auth(key())).send({ all: true }), 401, "unauthenticated");
  });

  it("when the admin-only replay is called with a module, wildcard or read key, then it answers 403", async () => {
    for (const k of [K.education, K.all, K.read, K.readScope]) {
      await expectProblem(await request(bridge.url).post("/bucket/replay").set(auth(k)).send({ all: true }), 403, "forbidden");
    }
  });

  it("when the replay is called with the admin key, then it runs", async () => {
    const res = await request(bridge.url).post("/bucket/replay").set(auth(K.admin)).send({ all: true });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ queued: 0 });
  });

  it("when health, readiness and the OpenAPI document are called without a key, then they answer (probes carry no keys)", async () => {
    await request(bridge.url).get("/healthz").expect(200);
    await request(bridge.url).get("/readyz").expect(200);
    await request(bridge.url).get("/openapi.json").expect(200);
  });
});

describe("secrets", () => {
  it("when keys were used, refused and guessed, then no key appears in any log line, metric, error body, event or header", async () => {
    const bodies: string[] = [];
    const keep = (res: request.Response) => bodies.push(JSON.stringify(res.headers), res.text);
    keep(await request(bridge.url).post("/core/update").set(auth(nearMiss)).send(update("education")));
    keep(await request(bridge.url).post("/core/update").set(auth(K.education)).send(update("finance")));
    keep(await request(bridge.url).post("/core/update").set(auth(K.education)).send({ module: "education", data: "x" }));
    keep(
      await request(bridge.url)
        .post("/core/update")
        .set({ Authorization: `Basic ${K.finance}` })
        .send(update("finance")),
    );
    keep(await request(bridge.url).post("/core/update").set(auth(K.eduFin)).send(update("finance")));
    keep(await request(bridge.url).get("/insight/events").set(auth(K.all)));
    keep(await request(bridge.url).post("/bucket/replay").set(auth(K.education)).send({ all: true }));
    const events = await request(bridge.url).get("/insight/events?limit=500").set(auth(K.read)).expect(200);
    keep(events);
    for (const e of events.body.events as Array<{ id: string }>)
      keep(await request(bridge.url).get(`/insight/events/${e.id}`).set(auth(K.read)));
    keep(await request(bridge.url).get("/bucket/status").set(auth(K.read)));
    keep(await request(bridge.url).get("/insight/summary").set(auth(K.read)));
    keep(await request(bridge.url).get("/metrics").set(auth(K.read)));

    const written = await eventually(() => {
      const lines = bridge.logLines("logs/core_sync.log");
      return lines.some((l) => l.error_code === "unauthenticated") ? lines : null;
    });
    const everything = [
      ...written.map((l) => JSON.stringify(l)),
      ...bridge.logLines("insight/flow.log").map((l) => JSON.stringify(l)),
      ...appLog,
      ...bodies,
    ];
    expect(written.length).toBeGreaterThan(5);
    for (const secret of [...Object.values(K), nearMiss]) {
      // whole keys, and any 16-character piece of one
      for (const text of everything) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(secret.slice(8, 24));
      }
    }
  });
});
