import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteEventStore } from "../src/storage/sqlite/sqlite-store.js";
import { spawnApi } from "./child.js";
import { SEED_BODY, tempRoot } from "./helpers.js";

function post(url: string, body: string, slowMs = 0): Promise<{ status: number; eventId?: string } | { error: string }> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        method: "POST",
        path: "/core/update",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        let text = "";
        res.on("data", (c) => {
          text += c;
        });
        res.on("end", () => {
          const parsed = res.statusCode === 200 ? (JSON.parse(text) as { event_id: string }) : undefined;
          resolve({ status: res.statusCode ?? 0, ...(parsed ? { eventId: parsed.event_id } : {}) });
        });
      },
    );
    req.on("error", (err) => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }));
    if (slowMs > 0) {
      req.write(body.slice(0, 5));
      setTimeout(() => req.end(body.slice(5)), slowMs);
    } else req.end(body);
  });
}

describe("graceful shutdown", () => {
  it("when SIGTERM arrives under load, then requests in flight finish, every 200 is stored, and the process exits 0", async () => {
    const root = tempRoot("bridge-shutdown-");
    const api = await spawnApi({ BRIDGE_ROOT: root, LOG_LEVEL: "info" });
    const body = JSON.stringify(SEED_BODY);
    const results: Array<Promise<Awaited<ReturnType<typeof post>>>> = [];
    // a steady stream of requests, and one slow request whose body is still arriving at SIGTERM
    // the slow request is sent first and has reached the server (headers read) before the burst and the signal
    const slow = post(api.url, body, 900);
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 200; i++) results.push(post(api.url, body));
    await new Promise((r) => setTimeout(r, 200));
    api.proc.kill("SIGTERM");
    for (let i = 0; i < 50; i++) results.push(post(api.url, body));
    const all = await Promise.all([...results, slow]);
    const exit = await api.exited;

    expect(exit.code, api.output()).toBe(0);
    expect(await slow).toMatchObject({ status: 200 });
    const ok = all.filter((r): r is { status: number; eventId: string } => "status" in r && r.status === 200);
    // anything not answered 200 never reached the app: refused, or reset while still in the listen backlog
    for (const r of all) if (!("status" in r && r.status === 200)) expect(r).toHaveProperty("error");
    expect(ok.length).toBeGreaterThan(0);

    const store = new SqliteEventStore({ path: join(root, "data", "bridge.db"), deliveryMode: "embedded" });
    const status = await store.status();
    expect(status.totalCount).toBe(ok.length);
    for (const r of ok.slice(0, 20)) expect(await store.getEvent(r.eventId)).not.toBeNull();
    await store.close();
    expect(api.output()).toContain("stopped cleanly");
  });
});
