import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import { performance } from "node:perf_hooks";
import type { Clock } from "../clock.js";
import { iso } from "../clock.js";
import type { DeliveryMetrics } from "../http/metrics.js";
import type { FlowLog } from "../logging/loggers.js";
import type { AttemptOutcome, AttemptRecord, ClaimedDelivery, EventStore, RecordResult } from "../storage/event-store.js";
import type { BucketClient, SendResult } from "./bucket-client.js";
import { backoffCapMs, classifyStatus, type RetryPolicy, retryDelayMs, type Verdict } from "./retry-policy.js";

export interface WorkerLog {
  info(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
}

export interface DeliveryWorkerDeps {
  store: EventStore;
  client: BucketClient;
  policy: RetryPolicy;
  clock: Clock;
  flow: FlowLog;
  log: WorkerLog;
  metrics?: DeliveryMetrics;
  /** Attempts in flight at most; also the most rows one claim takes. */
  concurrency: number;
  /** Lease of a claim; must outlive one attempt (its timeout) with room to record the outcome. */
  claimTtlMs: number;
  /** How often an idle worker looks for due rows. */
  pollIntervalMs: number;
  /** Uniform in [0, 1): the jitter source (tests pass a fixed one). */
  random?: () => number;
  /** Aborting it stops the worker as stop() does. */
  signal?: AbortSignal;
  workerId?: string;
}

export interface DeliveryWorker {
  start(): void;
  /** Stop claiming; let attempts in flight finish for up to graceMs, then abort and release them. */
  stop(opts?: { graceMs?: number }): Promise<void>;
  /** Look for due rows now instead of at the next poll. */
  wake(): void;
  state(): { running: boolean; inFlight: number; consecutiveFailures: number; pausedUntil: number | null };
}

/**
 * After this many failed attempts in a row (network errors, 5xx, 429, ...) the Bucket is taken as
 * down: the worker pauses, then sends one probe at a time until one succeeds, so an outage costs
 * one attempt per pause instead of one per queued event, and recovery does not start with a herd.
 */
const TRIP_AFTER_MIN = 8;
/** Longest pause between probes of a Bucket that is down (or the backoff cap, if smaller). */
const PROBE_PAUSE_MAX_MS = 30_000;
/** Most outcomes recorded in one transaction. */
const RECORD_BATCH_MAX = 256;
/** After a storage error the loop waits this long before trying again. */
const STORE_ERROR_PAUSE_MS = 1000;

export function createDeliveryWorker(deps: DeliveryWorkerDeps): DeliveryWorker {
  const { store, client, policy, clock, flow, log, metrics } = deps;
  const random = deps.random ?? Math.random;
  const workerId = deps.workerId ?? `w-${randomUUID().slice(0, 8)}`;
  const tripAfter = Math.max(TRIP_AFTER_MIN, deps.concurrency);

  const inFlight = new Map<number, Promise<void>>();
  let claimSeq = 0;
  let running = false;
  let stopping = false;
  let loopDone: Promise<void> = Promise.resolve();
  let abortAttempts = new AbortController();
  let consecutiveFailures = 0;
  /** The Bucket is taken as down: one probe at a time, with pauses between. */
  let tripped = false;
  let probeFailures = 0;
  let pausedUntil = 0;
  /** Attempts allowed in flight: `concurrency`, 1 while the Bucket is taken as down, then doubling per success. */
  let window = deps.concurrency;

  // A wake that comes while the loop is busy (not sleeping) is kept, so the next sleep returns at
  // once: an answer that frees a slot is never left waiting for the poll interval.
  let wakeUp: (() => void) | null = null;
  let woken = false;
  const wake = () => {
    const w = wakeUp;
    wakeUp = null;
    if (w) w();
    else woken = true;
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken) {
        woken = false;
        resolve();
        return;
      }
      const t = setTimeout(() => {
        wakeUp = null;
        resolve();
      }, ms);
      wakeUp = () => {
        clearTimeout(t);
        resolve();
      };
    });

  async function loop(): Promise<void> {
    while (!stopping) {
      const now = clock.now();
      if (now < pausedUntil) {
        await sleep(Math.min(deps.pollIntervalMs, pausedUntil - now));
        continue;
      }
      const free = window - inFlight.size;
      // Claim in batches: wait for a quarter of the window to free up rather than one row per answer.
      const minClaim = inFlight.size === 0 ? 1 : Math.max(1, Math.ceil(window / 4));
      if (free < minClaim) {
        await sleep(deps.pollIntervalMs);
        continue;
      }
      let claimed: ClaimedDelivery[];
      try {
        claimed = await store.claimDeliveries({ now, limit: free, leaseMs: deps.claimTtlMs, token: `${workerId}:${++claimSeq}` });
      } catch (err) {
        log.warn("delivery: could not claim outbox rows; retrying", { error: String(err) });
        await sleep(STORE_ERROR_PAUSE_MS);
        continue;
      }
      for (const c of claimed) {
        // our own earlier attempt whose lease ran out: it is still in flight and will record itself
        if (inFlight.has(c.seq)) continue;
        const p = attempt(c, tripped).finally(() => {
          inFlight.delete(c.seq);
          wake();
        });
        inFlight.set(c.seq, p);
      }
      if (claimed.length < free) await sleep(deps.pollIntervalMs);
    }
  }

  // Group commit: answers that arrive together are recorded in one transaction. A commit costs
  // about 200 µs whatever it holds, so one per answer would cap delivery near 5,000/s of CPU.
  const toRecord: Array<{ rec: AttemptRecord; resolve: (r: RecordResult) => void; reject: (e: unknown) => void }> = [];
  let flushing = false;
  const record = (rec: AttemptRecord) =>
    new Promise<RecordResult>((resolve, reject) => {
      toRecord.push({ rec, resolve, reject });
      if (!flushing) void flush();
    });
  async function flush(): Promise<void> {
    flushing = true;
    // let the answers of this turn of the event loop join the batch
    await new Promise((r) => setImmediate(r));
    while (toRecord.length > 0) {
      const batch = toRecord.splice(0, RECORD_BATCH_MAX);
      try {
        const results = await store.recordAttempts(batch.map((b) => b.rec));
        for (const [i, b] of batch.entries()) b.resolve(results[i] as RecordResult);
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    flushing = false;
  }

  async function attempt(c: ClaimedDelivery, probe: boolean): Promise<void> {
    const startedAt = clock.now();
    const t0 = performance.now();
    const result = await client.send(c, abortAttempts.signal);
    const durationMs = Math.round((performance.now() - t0) * 1000) / 1000;
    if (result.kind === "network" && !result.timedOut && abortAttempts.signal.aborted) {
      // stopped before the Bucket answered: give the row back unattempted
      await store.releaseClaims([{ seq: c.seq, claimToken: c.claimToken }], clock.now()).catch(() => undefined);
      return;
    }
    const verdict: Verdict =
      result.kind === "response"
        ? classifyStatus(result.status, result.retryAfterMs, result.body)
        : { kind: "retry", reason: result.error, retryAfterMs: null };
    const now = clock.now();
    const failures = c.attempt - c.attemptOffset;
    let outcome: AttemptOutcome;
    let error: string | null = null;
    if (verdict.kind === "delivered") {
      outcome = { kind: "delivered", deliveredAt: now };
    } else if (verdict.kind === "dead") {
      outcome = { kind: "dead" };
      error = `permanent: ${verdict.reason}`;
    } else if (failures >= policy.maxAttempts) {
      outcome = { kind: "dead" };
      error = `gave up after ${failures} attempts: ${verdict.reason}`;
    } else {
      outcome = { kind: "retry", nextAttemptAt: now + retryDelayMs(policy, failures, random, verdict.retryAfterMs) };
      error = verdict.reason;
    }
    noteBucketHealth(result, verdict, now, probe);

    const httpStatus = result.kind === "response" ? result.status : null;
    let applied = false;
    try {
      const r = await record({
        seq: c.seq,
        claimToken: c.claimToken,
        attempt: c.attempt,
        startedAt,
        durationMs,
        httpStatus,
        error,
        outcome,
      });
      applied = r.applied;
    } catch (err) {
      // The claim runs out and the event is attempted again: at-least-once, never lost.
      log.warn("delivery: could not record an attempt; the event will be retried", { event_id: c.id, error: String(err) });
      return;
    }
    const base = { event_id: c.id, module: c.module, attempt: c.attempt };
    flow.write(
      {
        ...base,
        step: "delivery_attempt",
        message: `attempt ${c.attempt} for event ${c.id}: ${httpStatus ?? "no answer"}${applied ? "" : " (stale claim, ignored)"}`,
        http_status: httpStatus,
        error,
        latency_ms: durationMs,
      },
      outcome.kind === "delivered" ? "info" : "warn",
    );
    metrics?.attempts.inc({ result: applied ? outcome.kind : "stale" });
    if (!applied) return;
    if (outcome.kind === "delivered") {
      const latencyMs = Math.max(0, outcome.deliveredAt - c.receivedAt);
      metrics?.delivered.inc();
      metrics?.latency.observe(latencyMs / 1000);
      flow.write({
        ...base,
        step: "delivered",
        message: `delivered event ${c.id} to the Bucket`,
        http_status: httpStatus,
        latency_ms: latencyMs,
      });
    } else if (outcome.kind === "retry") {
      metrics?.retried.inc();
      flow.write(
        {
          ...base,
          step: "retry_scheduled",
          message: `retry of event ${c.id} scheduled at ${iso(outcome.nextAttemptAt)}`,
          http_status: httpStatus,
          error,
          next_attempt_at: iso(outcome.nextAttemptAt),
        },
        "warn",
      );
    } else {
      metrics?.deadLettered.inc();
      flow.write({ ...base, step: "dead_lettered", message: `dead-lettered event ${c.id}`, http_status: httpStatus, error }, "error");
    }
  }

  /**
   * The worker-wide view of the Bucket: a Retry-After pauses everything; a run of failures trips
   * to probing. Only failed probes lengthen the pause: attempts that were already in flight when
   * it tripped fail too, and must not push the next probe out (an 8 s outage would cost 30 s).
   */
  function noteBucketHealth(result: SendResult, verdict: Verdict, now: number, probe: boolean): void {
    if (verdict.kind === "retry") {
      consecutiveFailures++;
      if (verdict.retryAfterMs !== null) pausedUntil = Math.max(pausedUntil, now + Math.min(verdict.retryAfterMs, policy.retryAfterMaxMs));
      if (!tripped && consecutiveFailures >= tripAfter) {
        tripped = true;
        probeFailures = 0;
        window = 1;
        log.warn("delivery: the Bucket looks down; probing with one attempt at a time", { last_error: verdict.reason });
        pausedUntil = Math.max(pausedUntil, now + probePause(1));
      } else if (tripped && probe) {
        probeFailures++;
        pausedUntil = Math.max(pausedUntil, now + probePause(probeFailures + 1));
      }
      return;
    }
    // any definite answer (even a permanent 4xx) means the Bucket is reachable
    if (result.kind === "response") {
      if (tripped) log.info("delivery: the Bucket answers again; ramping up");
      tripped = false;
      consecutiveFailures = 0;
      window = Math.min(deps.concurrency, window * 2);
    }
  }
  const probePause = (k: number) => Math.min(PROBE_PAUSE_MAX_MS, backoffCapMs(policy, k));

  const onAbort = () => void worker.stop();

  const worker: DeliveryWorker = {
    start() {
      if (running || deps.signal?.aborted) return;
      running = true;
      stopping = false;
      abortAttempts = new AbortController();
      // every attempt in flight listens on it: up to `concurrency` listeners, by design
      setMaxListeners(0, abortAttempts.signal);
      deps.signal?.addEventListener("abort", onAbort, { once: true });
      loopDone = loop().catch((err) => {
        log.error("delivery: worker loop failed", { error: err instanceof Error ? err.stack : String(err) });
      });
    },
    async stop({ graceMs = 10_000 } = {}) {
      if (!running) return;
      stopping = true;
      deps.signal?.removeEventListener("abort", onAbort);
      wake();
      await loopDone;
      if (inFlight.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.allSettled([...inFlight.values()]),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, graceMs);
          }),
        ]);
        clearTimeout(timer);
        abortAttempts.abort();
        await Promise.allSettled([...inFlight.values()]);
      }
      running = false;
    },
    wake,
    state: () => ({ running, inFlight: inFlight.size, consecutiveFailures, pausedUntil: pausedUntil > clock.now() ? pausedUntil : null }),
  };
  return worker;
}
