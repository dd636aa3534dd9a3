import { spawn } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { type MockBucket, MockBucketCount, startMockBucket } from "../src/bucket/bucket-server.js";
import { eventually } from "./emitter-helpers.js";

const PKG_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

let bucket: MockBucket | undefined;
afterEach(async () => {
  await bucket?.close();
  bucket = undefined;
});

function delivery(id = randomUUID(), module = "education") {
  return { event_id: id, module, session_id: "s1", sequence: 1, received_at: new Date().toISOString(), data: { a: 1 } };
}

async function post(b: MockBucket, body: object | string, headers: Record<string, string> = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const id = typeof body === "string" ? "" : (body as { event_id: string }).event_id;
  return fetch(`${b.url}/ingest`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": id, ...headers },
    body: text,
  });
}

/** Sign as the Standard Webhooks reference libraries do, independently of the bridge's signer. */
function sign(id: string, body: string, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  const key = Buffer.from(SECRET.slice("whsec_".length), "base64");
  const sig = createHmac("sha256", key).update(`${id}.${ts}.${body}`).digest("base64");
  return { "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": `v1,${sig}` };
}

describe("mock Bucket", () => {
  it("when an event is delivered twice, then it is stored once, listed, counted, and kept in the JSONL file across a restart", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "mock-bucket-")), "received.jsonl");
    bucket = await startMockBucket({ file });
    const d = delivery();
    expect((await post(bucket, d)).status).toBe(200);
    const again = await post(bucket, d);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: "duplicate", event_id: d.event_id });
    await post(bucket, delivery(undefined, "finance"));

    const count = MockBucketCount.parse(await (await fetch(`${bucket.url}/count`)).json());
    expect(count).toMatchObject({ unique: 2, requests: 3, duplicates: 1, by_module: { education: 1, finance: 1 } });
    const listing = (await (await fetch(`${bucket.url}/events?module=education`)).json()) as {
      count: number;
      events: Array<{ event_id: string }>;
    };
    expect(listing.count).toBe(1);
    expect(listing.events[0]?.event_id).toBe(d.event_id);

    await bucket.close();
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(2);
    bucket = await startMockBucket({ file });
    expect(bucket.count().unique).toBe(2);
    expect(((await (await post(bucket, d)).json()) as { status: string }).status).toBe("duplicate");
  });

  it("when a secret is set, then a valid signature is accepted and a missing or altered one gets 401", async () => {
    bucket = await startMockBucket({ secret: SECRET });
    const d = delivery();
    const body = JSON.stringify(d);
    expect((await post(bucket, body, { "idempotency-key": d.event_id, ...sign(d.event_id, body) })).status).toBe(200);
    const d2 = delivery();
    const body2 = JSON.stringify(d2);
    expect((await post(bucket, body2, { "idempotency-key": d2.event_id })).status).toBe(401);
    const altered = body2.replace('"a":1', '"a":2');
    const res = await post(bucket, altered, { "idempotency-key": d2.event_id, ...sign(d2.event_id, body2) });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toMatch(/no v1 signature matches/);
    const stale = await post(bucket, body2, {
      "idempotency-key": d2.event_id,
      ...sign(d2.event_id, body2, Math.floor(Date.now() / 1000) - 3600),
    });
    expect(stale.status).toBe(401);
    expect(bucket.count()).toMatchObject({ unique: 1, rejected: 3 });
  });

  it("when the body is not a delivery or its key is not its event id, then it is refused and not stored", async () => {
    bucket = await startMockBucket();
    expect((await post(bucket, "{nope", { "idempotency-key": "x" })).status).toBe(422);
    expect((await post(bucket, { ...delivery(), sequence: 0 })).status).toBe(422);
    expect((await post(bucket, delivery(), { "idempotency-key": "other" })).status).toBe(400);
    expect(bucket.count()).toMatchObject({ unique: 0, rejected: 3 });
  });

  it("when faults are injected, then deliveries get 503, a fixed status or 429 with Retry-After, and none of them is stored", async () => {
    bucket = await startMockBucket({ failRate: 1 });
    expect((await post(bucket, delivery())).status).toBe(503);
    bucket.faults.failRate = 0;
    bucket.faults.status = 500;
    expect((await post(bucket, delivery())).status).toBe(500);
    bucket.faults.status = null;
    bucket.faults.rateLimit = 1;
    const answers = await Promise.all([post(bucket, delivery()), post(bucket, delivery()), post(bucket, delivery())]);
    const limited = answers.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited[0]?.headers.get("retry-after")).toBe("1");
    bucket.faults.rateLimit = null;
    bucket.respondNext({ status: 429, retryAfterSeconds: 30 });
    const scripted = await post(bucket, delivery());
    expect([scripted.status, scripted.headers.get("retry-after")]).toEqual([429, "30"]);
    expect(bucket.count().unique).toBe(answers.length - limited.length);
  });

  it("when the Bucket goes down, then connections are refused until it is up again", async () => {
    bucket = await startMockBucket();
    await bucket.goDown(60_000);
    expect(bucket.isDown()).toBe(true);
    const refused = await post(bucket, delivery()).catch((err: Error & { cause?: { code?: string } }) => err.cause?.code);
    expect(refused).toBe("ECONNREFUSED");
    await bucket.up();
    expect((await post(bucket, delivery())).status).toBe(200);
  });
});

describe("mock Bucket control endpoints", () => {
  const control = async (b: MockBucket, path: string, body?: string) => {
    const res = await fetch(`${b.url}${path}`, { method: "POST", ...(body !== undefined ? { body } : {}) });
    return { status: res.status, body: (await res.json()) as { error?: string; errors?: Array<{ field: string; message: string }> } };
  };

  it("when /_control/down gets an ms that is not a number, then it answers 400 naming ms and stays up", async () => {
    bucket = await startMockBucket();
    for (const ms of ["abc", "", "-5", "1.5", "86400001"]) {
      const answer = await control(bucket, `/_control/down?ms=${ms}`);
      expect(answer.status, `ms=${ms}`).toBe(400);
      expect(answer.body.errors?.map((e) => e.field)).toEqual(["ms"]);
      expect(answer.body.errors?.[0]?.message).toMatch(/milliseconds|at most/);
    }
    expect(bucket.isDown()).toBe(false);
    expect((await post(bucket, delivery())).status).toBe(200);
    expect(await control(bucket, "/_control/down?ms=60000")).toEqual({ status: 202, body: { down_for_ms: 60_000 } });
    await eventually(() => bucket?.isDown());
  });

  it("when /_control/faults gets a bad body, then it answers a JSON error naming each field and changes no fault", async () => {
    bucket = await startMockBucket();
    const before = { ...bucket.faults };
    const wrong = await control(bucket, "/_control/faults", JSON.stringify({ failRate: 2, status: "500", latencyMs: 10 }));
    expect(wrong.status).toBe(422);
    expect(typeof wrong.body.error).toBe("string");
    expect(wrong.body.errors?.map((e) => e.field).sort()).toEqual(["failRate", "status"]);
    for (const e of wrong.body.errors ?? []) expect(e.message).not.toContain("{");
    const unknown = await control(bucket, "/_control/faults", JSON.stringify({ failrate: 0.5 }));
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([{ field: "failrate", message: expect.stringContaining("failRate") }]);
    const notJson = await control(bucket, "/_control/faults", "failRate=0.5");
    expect([notJson.status, notJson.body.errors?.[0]?.field]).toEqual([400, "body"]);
    expect(bucket.faults).toEqual(before);

    const ok = await control(bucket, "/_control/faults", JSON.stringify({ failRate: 0.5 }));
    expect([ok.status, ok.body]).toEqual([200, { ...before, failRate: 0.5 }]);
  });
});

describe("pnpm mock:bucket", () => {
  const run = (args: string[]) => {
    const child = spawn(process.execPath, ["--conditions=development", "--import", "tsx", "src/bucket/bucket-cli.ts", ...args], {
      cwd: PKG_DIR,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    const exit = new Promise<number | null>((resolve) => child.once("exit", resolve));
    return { child, exit, out: () => out, err: () => err };
  };

  it("when asked for --help, then it prints its options and exits 0", async () => {
    const p = run(["--help"]);
    expect(await p.exit).toBe(0);
    for (const flag of ["--port", "--secret", "--fail-rate", "--status", "--latency", "--down-for", "--rate-limit"])
      expect(p.out()).toContain(flag);
  });

  it("when started on a free port, then it prints READY with its URL and receives deliveries", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mock-bucket-cli-"));
    const p = run(["--port", "0", "--file", join(dir, "r.jsonl"), "--reset"]);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        p.child.stdout.on("data", () => {
          const m = /READY (http:\/\/127\.0\.0\.1:\d+)/.exec(p.out());
          if (m?.[1]) resolve(m[1]);
        });
        void p.exit.then((code) => reject(new Error(`exited ${code}: ${p.err()}`)));
      });
      const d = delivery();
      const res = await fetch(`${url}/ingest`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": d.event_id },
        body: JSON.stringify(d),
      });
      expect(res.status).toBe(200);
      expect(((await (await fetch(`${url}/count`)).json()) as { unique: number }).unique).toBe(1);
    } finally {
      p.child.kill("SIGTERM");
      await p.exit;
    }
  });

  it("when an option is wrong, then it names it and exits 2", async () => {
    const p = run(["--fail-rate", "2"]);
    expect(await p.exit).toBe(2);
    expect(p.err()).toContain("--fail-rate");
  });
});
