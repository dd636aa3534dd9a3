import { createWriteStream, existsSync, mkdirSync, readFileSync, type WriteStream } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
import { BucketDelivery, type FieldError } from "@bridge/shared";
import { z } from "zod";
import { verifyWebhookSignature } from "./bucket-signature.js";

/** Faults injected before a delivery is looked at; change them at any time (`bucket.faults.failRate = 0`). */
export interface MockBucketFaults {
  /** Share of deliveries (0-1) answered 503 without being stored. */
  failRate: number;
  /** Answer every delivery with this status (not stored unless 2xx), e.g. 400 or 500. */
  status: number | null;
  /** Wait this long before answering. */
  latencyMs: number;
  /** Deliveries accepted per second; more get 429 with Retry-After (seconds to the next second). */
  rateLimit: number | null;
}

export interface MockBucketOptions extends Partial<MockBucketFaults> {
  port?: number;
  host?: string;
  /** Verify Standard Webhooks signatures with this secret; a bad or missing one gets 401. */
  secret?: string | null;
  toleranceSeconds?: number;
  /** Require `Authorization: Bearer <token>`; otherwise 401. */
  token?: string | null;
  /** JSONL file of every unique event received; loaded at start, so dedup survives a restart. */
  file?: string | null;
  /** Start empty even if `file` has events (the file is truncated). */
  reset?: boolean;
  /** Refuse connections for this long after start, then listen. */
  downForMs?: number;
  random?: () => number;
}

/** One unique event as the Bucket keeps it (one JSONL line). */
export const ReceivedEvent = BucketDelivery.extend({
  first_received_at: z.string(),
  attempt: z.number().int().nullable(),
});
export type ReceivedEvent = z.infer<typeof ReceivedEvent>;

/** GET /count. */
export const MockBucketCount = z.object({
  unique: z.number().int(),
  requests: z.number().int(),
  duplicates: z.number().int(),
  faulted: z.number().int(),
  rejected: z.number().int(),
  by_module: z.record(z.string(), z.number().int()),
});
export type MockBucketCount = z.infer<typeof MockBucketCount>;

/** What the Bucket saw of one delivery request, for tests asserting headers and answers. */
export interface RequestRecord {
  at: number;
  eventId: string | null;
  attempt: number | null;
  status: number;
  headers: Record<string, string>;
  /** The body exactly as received (UTF-8). */
  body: string;
}

export interface MockBucket {
  url: string;
  port: number;
  faults: MockBucketFaults;
  /** Answer the next deliveries with these, in order, before any other fault. */
  respondNext(...answers: Array<{ status: number; retryAfterSeconds?: number }>): void;
  /** Refuse connections for ms (listener and open sockets closed), then listen on the same port again. */
  goDown(ms: number): Promise<void>;
  isDown(): boolean;
  /** End an outage now. */
  up(): Promise<void>;
  /** Resolves once the Bucket listens again (at once when it is up). */
  whenUp(): Promise<void>;
  count(): MockBucketCount;
  events(): ReceivedEvent[];
  get(id: string): ReceivedEvent | undefined;
  /** Every delivery request, oldest first (at most the last 200,000). */
  requests: RequestRecord[];
  close(): Promise<void>;
}

const BODY_LIMIT = 2 * 1024 * 1024;

/** `POST /_control/down?ms=N`: whole milliseconds, at most a day (as --down-for); no `ms` means 10 s. */
const DownQuery = z
  .string()
  .regex(/^\d+$/, { message: "must be a whole number of milliseconds, e.g. ms=10000" })
  .transform(Number)
  .pipe(z.number().max(86_400_000, { message: "must be at most 86400000 (a day)" }))
  .default(10_000);

/** `POST /_control/faults`: any of the faults; an unknown name is refused rather than ignored. */
const FaultsPatch = z
  .object({
    failRate: z.number().min(0).max(1),
    status: z.number().int().min(100).max(599).nullable(),
    latencyMs: z.number().min(0).max(600_000),
    rateLimit: z.number().int().positive().nullable(),
  })
  .partial()
  .strict();

/** A control request's error: what was wrong, and each offending field with its message. */
function problem(error: string, issues: z.core.$ZodIssue[], whole: string): { error: string; errors: FieldError[] } {
  const fields = (i: z.core.$ZodIssue): string[] =>
    i.code === "unrecognized_keys" ? i.keys : [i.path.length > 0 ? i.path.join(".") : whole];
  const errors = issues.flatMap((i) =>
    fields(i).map((field) => ({
      field,
      message: i.code === "unrecognized_keys" ? "unknown fault: failRate, status, latencyMs or rateLimit" : i.message,
    })),
  );
  return { error, errors };
}
const REQUEST_LOG_MAX = 200_000;

export async function startMockBucket(opts: MockBucketOptions = {}): Promise<MockBucket> {
  const random = opts.random ?? Math.random;
  const faults: MockBucketFaults = {
    failRate: opts.failRate ?? 0,
    status: opts.status ?? null,
    latencyMs: opts.latencyMs ?? 0,
    rateLimit: opts.rateLimit ?? null,
  };
  const store = new Map<string, ReceivedEvent>();
  const byModule: Record<string, number> = {};
  const stats = { requests: 0, duplicates: 0, faulted: 0, rejected: 0 };
  const requests: RequestRecord[] = [];
  const scripted: Array<{ status: number; retryAfterSeconds?: number }> = [];
  let window = { second: 0, count: 0 };

  let out: WriteStream | null = null;
  if (opts.file) {
    mkdirSync(dirname(opts.file), { recursive: true });
    if (!opts.reset && existsSync(opts.file)) {
      for (const line of readFileSync(opts.file, "utf8").split("\n")) {
        if (!line.trim()) continue;
        const e = ReceivedEvent.safeParse(JSON.parse(line));
        if (e.success && !store.has(e.data.event_id)) keep(e.data);
      }
    }
    out = createWriteStream(opts.file, { flags: opts.reset ? "w" : "a" });
  }

  function keep(e: ReceivedEvent): void {
    store.set(e.event_id, e);
    byModule[e.module] = (byModule[e.module] ?? 0) + 1;
  }

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };

  const count = (): MockBucketCount => ({ unique: store.size, ...stats, by_module: { ...byModule } });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://bucket");
    const body = await readBody(req);
    if (body === null) return send(res, 413, { error: `body over ${BODY_LIMIT} bytes` });
    if (req.method === "GET") {
      if (url.pathname === "/count") return send(res, 200, count());
      if (url.pathname === "/events") {
        const module = url.searchParams.get("module");
        const limit = Math.min(10_000, Math.max(1, Number(url.searchParams.get("limit") ?? 100) || 100));
        const offset = Math.max(0, Number(url.searchParams.get("offset") ?? 0) || 0);
        const all = [...store.values()].filter((e) => !module || e.module === module);
        return send(res, 200, { count: all.length, events: all.slice(offset, offset + limit) });
      }
      if (url.pathname === "/healthz") return send(res, 200, { status: "ok" });
      return send(res, 404, { error: "GET /events, /count or /healthz; POST deliveries to any other path" });
    }
    if (req.method !== "POST") return send(res, 405, { error: "deliveries are POSTed" }, { allow: "GET, POST" });
    if (url.pathname === "/_control/down") {
      const ms = DownQuery.safeParse(url.searchParams.get("ms") ?? undefined);
      if (!ms.success) return send(res, 400, problem("outage not started", ms.error.issues, "ms"));
      send(res, 202, { down_for_ms: ms.data });
      res.on("finish", () => void bucket.goDown(ms.data));
      return;
    }
    if (url.pathname === "/_control/faults") {
      const json = safeJson(body);
      if (json === undefined)
        return send(res, 400, { error: "faults not changed", errors: [{ field: "body", message: 'must be JSON, e.g. {"failRate":0.5}' }] });
      const patch = FaultsPatch.safeParse(json);
      if (!patch.success) return send(res, 422, problem("faults not changed", patch.error.issues, "body"));
      Object.assign(faults, patch.data);
      return send(res, 200, faults);
    }
    await deliver(req, res, body);
  }

  async function deliver(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    stats.requests++;
    const key = header(req, "idempotency-key");
    const attemptHeader = header(req, "delivery-attempt");
    const record: RequestRecord = {
      at: Date.now(),
      eventId: key ?? null,
      attempt: attemptHeader && /^\d+$/.test(attemptHeader) ? Number(attemptHeader) : null,
      status: 0,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")])),
      body: body.toString("utf8"),
    };
    if (requests.length >= REQUEST_LOG_MAX) requests.shift();
    requests.push(record);
    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      send(res, status, payload, headers);
    };

    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    const next = scripted.shift();
    if (next) {
      stats.faulted++;
      const h: Record<string, string> = next.retryAfterSeconds !== undefined ? { "retry-after": String(next.retryAfterSeconds) } : {};
      return answer(next.status, { error: "scripted answer" }, h);
    }
    if (faults.rateLimit !== null) {
      const now = Date.now();
      const second = Math.floor(now / 1000);
      if (window.second !== second) window = { second, count: 0 };
      if (++window.count > faults.rateLimit) {
        stats.faulted++;
        // the window resets at the next whole second
        return answer(429, { error: "rate limited" }, { "retry-after": "1" });
      }
    }
    if (faults.status !== null && (faults.status < 200 || faults.status >= 300)) {
      stats.faulted++;
      return answer(faults.status, { error: `fixed status ${faults.status}` });
    }
    if (faults.failRate > 0 && random() < faults.failRate) {
      stats.faulted++;
      return answer(503, { error: "injected failure" });
    }
    if (opts.token && header(req, "authorization") !== `Bearer ${opts.token}`) {
      stats.rejected++;
      return answer(401, { error: "missing or wrong bearer token" });
    }
    if (opts.secret) {
      const problem = verifyWebhookSignature({
        secret: opts.secret,
        headers: {
          id: header(req, "webhook-id"),
          timestamp: header(req, "webhook-timestamp"),
          signature: header(req, "webhook-signature"),
        },
        body,
        ...(opts.toleranceSeconds !== undefined ? { toleranceSeconds: opts.toleranceSeconds } : {}),
      });
      if (problem) {
        stats.rejected++;
        return answer(401, { error: `signature: ${problem}` });
      }
    }
    const parsed = BucketDelivery.safeParse(safeJson(body));
    if (!parsed.success) {
      stats.rejected++;
      return answer(422, { error: "not a BucketDelivery", issues: parsed.error.issues.slice(0, 5) });
    }
    const d = parsed.data;
    if (key !== d.event_id) {
      stats.rejected++;
      return answer(400, { error: "Idempotency-Key must equal event_id" });
    }
    if (store.has(d.event_id)) {
      stats.duplicates++;
      return answer(faults.status ?? 200, { status: "duplicate", event_id: d.event_id });
    }
    const e: ReceivedEvent = { ...d, first_received_at: new Date().toISOString(), attempt: record.attempt };
    keep(e);
    out?.write(`${JSON.stringify(e)}\n`);
    answer(faults.status ?? 200, { status: "stored", event_id: d.event_id });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, { error: String(err) });
      else res.destroy();
    });
  });
  let down = false;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, opts.host ?? "127.0.0.1", () => {
        server.off("error", reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const port = await listen(opts.port ?? 0);
  let upAgain: Promise<void> = Promise.resolve();
  let endOutage: (() => void) | null = null;

  const bucket: MockBucket = {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}`,
    port,
    faults,
    requests,
    respondNext: (...answers) => void scripted.push(...answers),
    async goDown(ms) {
      if (down) return;
      down = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      upAgain = new Promise<void>((resolve) => {
        const reopen = () => {
          endOutage = null;
          clearTimeout(timer);
          listen(port)
            .then(() => {
              down = false;
            })
            .finally(resolve);
        };
        const timer = setTimeout(reopen, ms);
        endOutage = reopen;
      });
    },
    async up() {
      endOutage?.();
      await upAgain;
    },
    isDown: () => down,
    whenUp: () => upAgain,
    count,
    events: () => [...store.values()],
    get: (id) => store.get(id),
    async close() {
      endOutage?.();
      await upAgain;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (out) await new Promise<void>((resolve) => out?.end(resolve));
    },
  };
  if (opts.downForMs && opts.downForMs > 0) await bucket.goDown(opts.downForMs);
  return bucket;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function safeJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= BODY_LIMIT) chunks.push(c);
    });
    req.on("end", () => resolve(size > BODY_LIMIT ? null : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
