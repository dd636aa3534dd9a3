import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { EventsPage, StatusResponse } from "@bridge/shared";
import { afterAll, describe, expect, it } from "vitest";
import { type MockBucket, startMockBucket } from "./delivery-helpers.js";
import { eventually, tempRoot } from "./helpers.js";

const API_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
const UPDATES = 3000;
const KILL_AFTER_ACKS = 1000;
const SENDERS = 32;
const MODULES = ["education", "finance", "creative"];

interface Api {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

/** The real api, as `pnpm start` runs it but from source, in its own process. */
async function startApi(root: string, bucketUrl: string): Promise<Api> {
  const child = spawn(process.execPath, ["--conditions=development", "--import", "tsx", "src/main.ts"], {
    cwd: API_DIR,
    env: {
      PATH: process.env.PATH ?? "",
      BRIDGE_ROOT: root,
      PORT: "0",
      LOG_LEVEL: "warn",
      BUCKET_URL: bucketUrl,
      // short waits, so the rows a killed worker held come back within the test
      DELIVERY_BACKOFF_BASE_MS: "20",
      DELIVERY_BACKOFF_MAX_MS: "200",
      DELIVERY_MAX_ATTEMPTS: "100",
      DELIVERY_TIMEOUT_MS: "2000",
      DELIVERY_CLAIM_TTL_MS: "4000",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /READY (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    void exited.then((code) => reject(new Error(`api exited (${code}) before READY:\n${stderr}`)));
  });
  return { child, url, exited };
}

type Ack = { eventId: string; replayed: boolean };

async function send(url: string, i: number): Promise<Ack | null> {
  try {
    const res = await fetch(`${url}/core/update`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": `crash-${i}` },
      body: JSON.stringify({ module: MODULES[i % MODULES.length], data: { i, note: "crash test" } }),
    });
    const text = await res.text();
    if (res.status !== 200) return null;
    return { eventId: (JSON.parse(text) as { event_id: string }).event_id, replayed: res.headers.get("idempotent-replayed") === "true" };
  } catch {
    return null; // connection refused or cut by the kill: not acknowledged
  }
}

let bucket: MockBucket | undefined;
let api: Api | undefined;
const root = tempRoot("bridge-crash-");
afterAll(async () => {
  api?.child.kill("SIGKILL");
  await bucket?.close();
  rmSync(root, { recursive: true, force: true });
});

describe("crash safety", () => {
  it("when the api is SIGKILLed while thousands of updates arrive, then after a restart every acknowledged event is stored and reaches the Bucket, each exactly once by id", async () => {
    // a Bucket that fails a fifth of its requests and takes a moment, so deliveries are in flight at the kill
    bucket = await startMockBucket({ failRate: 0.2, latencyMs: 2 });
    api = await startApi(root, `${bucket.url}/ingest`);

    // phase 1: many senders at once; SIGKILL once a third is acknowledged
    const acks = new Map<number, Ack>();
    let next = 0;
    let killed = false;
    const firstApi = api;
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        while (!killed && next < UPDATES) {
          const i = next++;
          const ack = await send(firstApi.url, i);
          if (ack) acks.set(i, ack);
          if (!killed && acks.size >= KILL_AFTER_ACKS) {
            killed = true;
            firstApi.child.kill("SIGKILL");
          }
        }
      }),
    );
    expect(await firstApi.exited).toBeNull(); // killed by the signal, no exit code
    const beforeKill = new Map(acks);
    expect(beforeKill.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(beforeKill.size).toBeLessThan(UPDATES);

    // phase 2: restart on the same files; every update not acknowledged is sent again with its key
    api = await startApi(root, `${bucket.url}/ingest`);
    const secondApi = api;
    const missing = Array.from({ length: UPDATES }, (_, i) => i).filter((i) => !acks.has(i));
    let cursor = 0;
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        while (cursor < missing.length) {
          const i = missing[cursor++] as number;
          const ack = await send(secondApi.url, i);
          expect(ack, `update ${i} after the restart`).not.toBeNull();
          if (ack) acks.set(i, ack);
        }
      }),
    );
    expect(acks.size).toBe(UPDATES);
    const acked = new Set([...acks.values()].map((a) => a.eventId));
    expect(acked.size).toBe(UPDATES);

    // every acknowledged event is in the store...
    const stored = new Set<string>();
    let page = EventsPage.parse(await (await fetch(`${secondApi.url}/insight/events?limit=500`)).json());
    for (;;) {
      for (const e of page.events) stored.add(e.id);
      if (!page.next_cursor) break;
      page = EventsPage.parse(await (await fetch(`${secondApi.url}/insight/events?limit=500&cursor=${page.next_cursor}`)).json());
    }
    expect(stored).toEqual(acked);

    // ...and reaches the Bucket: the unique count there equals the acknowledged count
    const delivery = await eventually(async () => {
      const s = StatusResponse.parse(await (await fetch(`${secondApi.url}/bucket/status`)).json());
      return s.delivery.delivered === UPDATES ? s : null;
    }, 45_000);
    expect(delivery.total_sync_count).toBe(UPDATES);
    expect(delivery.delivery).toMatchObject({ pending: 0, retrying: 0, dead: 0, delivered: UPDATES });
    expect(bucket.count().unique).toBe(UPDATES);
    expect(new Set(bucket.events().map((e) => e.event_id))).toEqual(acked);

    // and the restarted api stops cleanly
    secondApi.child.kill("SIGTERM");
    expect(await secondApi.exited).toBe(0);
    api = undefined;
  }, 90_000);
});
