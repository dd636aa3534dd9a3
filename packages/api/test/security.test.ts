import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ProblemDetails } from "@bridge/shared";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";
import { runApiToExit } from "./child.js";
import { startBridge, type TestBridge, tempRoot } from "./helpers.js";

const key = () => randomBytes(32).toString("hex");

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("binding to a network address", () => {
  it("when HOST is not loopback and no keys are set, then the configuration is refused saying why and how to proceed", () => {
    const msg = configError({ HOST: "0.0.0.0" });
    expect(msg).toContain('HOST="0.0.0.0"');
    expect(msg).toContain("no API keys");
    expect(msg).toContain("no read keys");
    expect(msg).toContain("BRIDGE_ALLOW_INSECURE=true");
    expect(msg).toContain("HOST=127.0.0.1");
  });

  it("when HOST is not loopback with API keys but no read keys, then it is refused naming the read keys", () => {
    const msg = configError({ HOST: "10.1.2.3", BRIDGE_API_KEYS: `${key()}:*` });
    expect(msg).toContain("no read keys");
    expect(msg).not.toContain("no API keys");
  });

  it("when HOST is not loopback with write and read keys, then it starts with rate limits on by default", () => {
    const c = loadConfig({ HOST: "0.0.0.0", BRIDGE_API_KEYS: `${key()}:*`, BRIDGE_READ_KEYS: key() });
    expect(c.security).toMatchObject({ writeProtected: true, readProtected: true, loopback: false });
    expect(c.rateLimit.perMinute).toBe(1200);
  });

  it("when BRIDGE_ALLOW_INSECURE=true, then an open network bind is allowed with a warning", () => {
    const c = loadConfig({ HOST: "0.0.0.0", BRIDGE_ALLOW_INSECURE: "true" });
    expect(c.security.warnings.join(" ")).toContain("open to anyone");
  });

  it.each(["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])(
    "when HOST is %s, then no key is needed and rate limits are off",
    (host) => {
      const c = loadConfig({ HOST: host });
      expect(c.security.loopback).toBe(true);
      expect(c.rateLimit.perMinute).toBe(0);
    },
  );

  it("when the api is started on 0.0.0.0 without keys, then it exits 2 with the reason on stderr", async () => {
    const { code, output } = await runApiToExit({ HOST: "0.0.0.0", PORT: "0", BRIDGE_ROOT: tempRoot() });
    expect(code).toBe(2);
    expect(output).toContain("refusing to listen on a non-loopback address");
    expect(output).toContain("BRIDGE_ALLOW_INSECURE=true");
    expect(output).not.toContain("READY");
  });
});

describe("key configuration", () => {
  it("when BRIDGE_API_KEYS is malformed, then the error names the variable and the entry but never prints the keys", () => {
    const secret = key();
    const msg = configError({ BRIDGE_API_KEYS: `${secret}:education,${secret}x:not a module,broken` });
    expect(msg).toContain("BRIDGE_API_KEYS");
    expect(msg).toContain("entry 2");
    expect(msg).toContain("entry 3");
    expect(msg).not.toContain(secret);
  });

  it("when BRIDGE_READ_KEYS is malformed, then its value is not printed either", () => {
    const msg = configError({ BRIDGE_READ_KEYS: "good,bad key" });
    expect(msg).toContain("BRIDGE_READ_KEYS");
    expect(msg).not.toContain("bad key");
  });

  it("when keys come from BRIDGE_API_KEYS_FILE with comments and lines, then they are used", async () => {
    const root = tempRoot();
    const [a, b] = [key(), key()];
    writeFileSync(join(root, "keys.txt"), `# module keys\n${a}:education\n\n${b}:finance|read   # rotated 2025-01\n`);
    let bridge: TestBridge | undefined;
    try {
      bridge = await startBridge({ root, env: { BRIDGE_API_KEYS_FILE: "keys.txt", RATE_LIMIT_PER_MINUTE: "0" } });
      await request(bridge.url)
        .post("/core/update")
        .set("Authorization", `Bearer ${a}`)
        .send({ module: "education", data: {} })
        .expect(200);
      await request(bridge.url).post("/core/update").set("Authorization", `Bearer ${a}`).send({ module: "finance", data: {} }).expect(403);
      await request(bridge.url).get("/bucket/status").set("Authorization", `Bearer ${b}`).expect(200);
      await request(bridge.url).get("/bucket/status").expect(401);
    } finally {
      await bridge?.close({ remove: true });
    }
  });

  it("when BRIDGE_API_KEYS_FILE cannot be read, then the configuration is refused naming it", () => {
    expect(configError({ BRIDGE_API_KEYS_FILE: "/nonexistent/keys.txt" })).toContain("BRIDGE_API_KEYS_FILE");
  });

  it("when a key is listed twice, then the configuration is refused", () => {
    const k = key();
    expect(configError({ BRIDGE_API_KEYS: `${k}:education,${k}:finance` })).toContain("listed twice");
  });

  it("when keys are short, then a warning says how to make good ones", () => {
    const c = loadConfig({ BRIDGE_API_KEYS: "k1:education|finance,k2:*,k3:admin" });
    expect(c.security.warnings.join(" ")).toContain("openssl rand -hex 32");
  });
});

describe("rate limits", () => {
  let bridge: TestBridge | undefined;
  afterEach(async () => {
    await bridge?.close({ remove: true });
    bridge = undefined;
  });

  it("when a key exceeds RATE_LIMIT_PER_MINUTE, then it gets 429 with Retry-After and a JSON problem, and another key does not", async () => {
    const [a, b] = [key(), key()];
    bridge = await startBridge({ env: { BRIDGE_API_KEYS: `${a}:*,${b}:*`, RATE_LIMIT_PER_MINUTE: "3" } });
    for (let i = 0; i < 3; i++) {
      await request(bridge.url)
        .post("/core/update")
        .set("Authorization", `Bearer ${a}`)
        .send({ module: "education", data: { i } })
        .expect(200);
    }
    const limited = await request(bridge.url)
      .post("/core/update")
      .set("Authorization", `Bearer ${a}`)
      .send({ module: "education", data: {} });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect(limited.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(ProblemDetails.parse(limited.body).code).toBe("rate_limited");
    await request(bridge.url).post("/core/update").set("Authorization", `Bearer ${b}`).send({ module: "education", data: {} }).expect(200);
    const status = await request(bridge.url).get("/bucket/status").expect(200);
    expect(status.body.total_sync_count).toBe(4);
    const lines = bridge.logLines("logs/core_sync.log");
    expect(lines.filter((l) => l.error_code === "rate_limited")).toHaveLength(1);
  });

  it("when keys are off and a client forges X-Forwarded-For, then it is still limited by its own address", async () => {
    bridge = await startBridge({ env: { RATE_LIMIT_PER_MINUTE: "3" } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await request(bridge.url).get("/bucket/status").set("X-Forwarded-For", `203.0.113.${i}`);
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  it("when requests come with unknown keys, then they share their address's budget (guessing keys is limited too)", async () => {
    bridge = await startBridge({ env: { BRIDGE_API_KEYS: `${key()}:*`, RATE_LIMIT_PER_MINUTE: "2" } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await request(bridge.url).post("/core/update").set("Authorization", `Bearer ${key()}`).send({ module: "a", data: {} });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 429, 429]);
  });

  it("when health probes exceed the limit, then they are still answered", async () => {
    bridge = await startBridge({ env: { RATE_LIMIT_PER_MINUTE: "1" } });
    for (let i = 0; i < 3; i++) await request(bridge.url).get("/healthz").expect(200);
  });

  it("when RATE_LIMIT_PER_MINUTE=0 with keys configured, then nothing is limited", async () => {
    const a = key();
    bridge = await startBridge({ env: { BRIDGE_API_KEYS: `${a}:*`, RATE_LIMIT_PER_MINUTE: "0" } });
    for (let i = 0; i < 20; i++) {
      await request(bridge.url).post("/core/update").set("Authorization", `Bearer ${a}`).send({ module: "a", data: { i } }).expect(200);
    }
  });
});

describe("browser-facing headers", () => {
  let bridge: TestBridge | undefined;
  afterEach(async () => {
    await bridge?.close({ remove: true });
    bridge = undefined;
  });

  it("when any route answers, then helmet's headers are set and x-powered-by is not", async () => {
    bridge = await startBridge();
    const res = await request(bridge.url).get("/healthz").expect(200);
    expect(res.headers["x-powered-by"]).toBeUndefined();
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(res.headers["x-frame-options"]).toBe("SAMEORIGIN");
  });

  it("when the policy is sent, then it neither asks browsers to upgrade to https nor pins HSTS (the bridge serves plain http)", async () => {
    bridge = await startBridge();
    const res = await request(bridge.url).get("/healthz").expect(200);
    expect(res.headers["content-security-policy"]).not.toContain("upgrade-insecure-requests");
    expect(res.headers["strict-transport-security"]).toBeUndefined();
  });

  it("when the dashboard's origin sends a preflight, then it is allowed with the headers the dashboard needs", async () => {
    bridge = await startBridge();
    const res = await request(bridge.url)
      .options("/bucket/status")
      .set("Origin", "http://localhost:8501")
      .set("Access-Control-Request-Method", "GET")
      .set("Access-Control-Request-Headers", "authorization");
    expect(res.status).toBe(204);
    expect(res.headers["access-control-allow-origin"]).toBe("http://localhost:8501");
    expect(res.headers["access-control-allow-headers"]).toMatch(/Authorization/);
    expect(res.headers.vary).toMatch(/Origin/);
    const get = await request(bridge.url).get("/bucket/status").set("Origin", "http://127.0.0.1:8501").expect(200);
    expect(get.headers["access-control-allow-origin"]).toBe("http://127.0.0.1:8501");
  });

  it("when another origin sends a preflight, then it is refused with 403 and no CORS headers", async () => {
    bridge = await startBridge();
    const res = await request(bridge.url)
      .options("/core/update")
      .set("Origin", "https://evil.example")
      .set("Access-Control-Request-Method", "POST");
    expect(res.status).toBe(403);
    expect(ProblemDetails.parse(res.body).code).toBe("forbidden");
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
    const get = await request(bridge.url).get("/bucket/status").set("Origin", "https://evil.example").expect(200);
    expect(get.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("when CORS_ORIGINS names another origin, then only that one is allowed", async () => {
    bridge = await startBridge({ env: { CORS_ORIGINS: "https://insight.example.org" } });
    const ok = await request(bridge.url)
      .options("/insight/events")
      .set("Origin", "https://insight.example.org")
      .set("Access-Control-Request-Method", "GET");
    expect(ok.status).toBe(204);
    const no = await request(bridge.url)
      .options("/insight/events")
      .set("Origin", "http://localhost:8501")
      .set("Access-Control-Request-Method", "GET");
    expect(no.status).toBe(403);
  });

  it("when CORS_ORIGINS is a wildcard, then the configuration is refused", () => {
    expect(configError({ CORS_ORIGINS: "*" })).toContain("CORS_ORIGINS");
  });
});
