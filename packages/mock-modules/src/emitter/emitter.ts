import { setTimeout as sleep } from "node:timers/promises";
import type { IngestRequest } from "@bridge/shared";
import { UpdateFeed } from "../generators/index.js";
import { backoffDelay } from "./backoff.js";
import { type ClientOptions, type SendResult, sendUpdate } from "./bridge-client.js";
import { formatDuration } from "./duration.js";
import { formatMs, type RunStats, RunStats as Stats, type RunSummary } from "./latency-stats.js";

export interface EmitterOptions extends ClientOptions {
  modules: string[];
  /** Time between the starts of two rounds (one update per module per round). */
  intervalMs: number;
  seed: number;
  sessionId: string;
  /** Stop after this many rounds; null runs until the signal aborts. */
  count: number | null;
  /** Load mode: updates per second over all modules, instead of one round per interval. */
  rate: number | null;
}

export interface EmitterIo {
  /** One line of output (no newline). */
  line(text: string): void;
  /** The load-mode progress line; rewritten in place on a terminal. */
  progress(text: string): void;
  /** Aborting ends the run after the answers in flight; the summary is still returned. */
  signal: AbortSignal;
  now?: () => Date;
  /** For the backoff jitter only; the data comes from the seed. */
  random?: () => number;
}

export interface EmitterResult extends RunSummary {
  /** The run ended early because the signal aborted it. */
  interrupted: boolean;
  elapsed_ms: number;
}

/** Idempotency key of one update: the same across retries of that update, unique across runs. */
const keyOf = (sessionId: string, update: IngestRequest, n: number) => `${sessionId}:${update.module}:${n}`;

const clock = () => new Date().toISOString().slice(11, 23);

export async function runEmitter(opts: EmitterOptions, io: EmitterIo): Promise<EmitterResult> {
  const started = Date.now();
  const stats = new Stats();
  const feed = new UpdateFeed(opts.seed, opts.sessionId);
  if (opts.rate !== null) await runLoad(opts, io, feed, stats);
  else await runRounds(opts, io, feed, stats);
  return { ...stats.summary(), interrupted: io.signal.aborted, elapsed_ms: Date.now() - started };
}

/** Interval mode: a round at once, then one every interval. An update the bridge could not take
 * (unreachable, 5xx, 429) is tried again with backoff until it lands or is refused; the next round
 * waits for it, so updates stay in order and nothing piles up while the bridge is down. */
async function runRounds(opts: EmitterOptions, io: EmitterIo, feed: UpdateFeed, stats: RunStats): Promise<void> {
  const now = io.now ?? (() => new Date());
  const random = io.random ?? Math.random;
  const width = Math.max(...opts.modules.map((m) => m.length));
  let n = 0;
  for (let round = 1; opts.count === null || round <= opts.count; round++) {
    const roundStart = Date.now();
    for (const module of opts.modules) {
      if (io.signal.aborted) return;
      const update = feed.next(module, now());
      const key = keyOf(opts.sessionId, update, ++n);
      stats.sent++;
      const label = module.padEnd(width);
      for (let attempt = 1; ; attempt++) {
        const result = await sendUpdate(opts, update, key);
        stats.record(result.latencyMs);
        if (result.kind === "accepted") {
          stats.accepted++;
          const event = result.response ? `event ${result.response.event_id}` : "(unexpected response body)";
          io.line(`${clock()}  ${label}  ${result.status} accepted  ${formatMs(result.latencyMs)}  ${event}  round ${round}`);
          if (attempt > 1) io.line(`${clock()}  ${label}  bridge reachable again after ${attempt - 1} retries`);
          break;
        }
        if (result.kind === "refused") {
          stats.refused++;
          io.line(`${clock()}  ${label}  ${result.status} REFUSED   ${formatMs(result.latencyMs)}  ${result.reason}  round ${round}`);
          break;
        }
        const wait = backoffDelay(attempt, random, result.retryAfterMs);
        io.line(`${clock()}  ${label}  ${describeFailure(result, opts.url)}; retry ${attempt} in ${formatDuration(wait)}`);
        if (!(await pause(wait, io.signal))) {
          stats.failed++;
          return;
        }
        stats.retries++;
      }
    }
    if (opts.count !== null && round >= opts.count) return;
    if (!(await pause(roundStart + opts.intervalMs - Date.now(), io.signal))) return;
  }
}

/** Load mode: R updates per second, round-robin over the modules, each sent once. A failure is counted
 * and pauses sending with backoff (the bridge is down or struggling); the pace restarts after the pause
 * rather than bursting to catch up. At most 256 requests are in flight: past that the bridge is
 * slower than the rate and the progress line shows the rate actually achieved. */
async function runLoad(opts: EmitterOptions, io: EmitterIo, feed: UpdateFeed, stats: RunStats): Promise<void> {
  const rate = opts.rate ?? 1;
  const now = io.now ?? (() => new Date());
  const random = io.random ?? Math.random;
  const total = opts.count === null ? Number.POSITIVE_INFINITY : opts.count * opts.modules.length;
  const MAX_IN_FLIGHT = 256;
  const inFlight = new Set<Promise<void>>();
  const started = Date.now();
  let paceStart = Date.now();
  let paceSent = 0;
  let consecutiveFailures = 0;
  let pauseUntil = 0;
  let errorsShown = 0;
  let lastProgress = started;

  const progressLine = () => {
    const secs = (Date.now() - started) / 1000;
    const s = stats.summary();
    const of = Number.isFinite(total) ? `/${total}` : "";
    return (
      `sent ${s.sent}${of}  accepted ${s.accepted}  refused ${s.refused}  failed ${s.failed}  in flight ${inFlight.size}  ` +
      `${(s.sent / Math.max(secs, 0.001)).toFixed(1)}/s  p50 ${formatMs(s.latency_p50_ms)}  p99 ${formatMs(s.latency_p99_ms)}`
    );
  };
  const onResult = (result: SendResult, module: string) => {
    stats.record(result.latencyMs);
    if (result.kind === "accepted") {
      stats.accepted++;
      consecutiveFailures = 0;
      return;
    }
    if (result.kind === "refused") stats.refused++;
    else {
      stats.failed++;
      consecutiveFailures++;
      const wait = backoffDelay(consecutiveFailures, random, result.retryAfterMs);
      pauseUntil = Math.max(pauseUntil, Date.now() + wait);
    }
    // The first few errors in full, then only the counts: at hundreds per second a line each would bury the progress.
    if (errorsShown < 5) {
      errorsShown++;
      const what = result.kind === "refused" ? `${result.status} REFUSED  ${result.reason}` : describeFailure(result, opts.url);
      io.line(`${clock()}  ${module}  ${what}${errorsShown === 5 ? "  (further errors are counted, not shown)" : ""}`);
    }
  };

  let n = 0;
  while (stats.sent < total && !io.signal.aborted) {
    const t = Date.now();
    if (t - lastProgress >= 1000) {
      lastProgress = t;
      io.progress(progressLine());
    }
    if (t < pauseUntil) {
      await pause(pauseUntil - t, io.signal);
      paceStart = Date.now();
      paceSent = 0;
      continue;
    }
    const due = Math.min(total - stats.sent, Math.floor(((t - paceStart) * rate) / 1000) - paceSent);
    for (let i = 0; i < due && inFlight.size < MAX_IN_FLIGHT; i++) {
      const module = opts.modules[n % opts.modules.length] as string;
      const update = feed.next(module, now());
      const key = keyOf(opts.sessionId, update, ++n);
      stats.sent++;
      paceSent++;
      const p: Promise<void> = sendUpdate(opts, update, key).then((r) => onResult(r, module));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    if (due > 0 && inFlight.size >= MAX_IN_FLIGHT) {
      // behind: wait for one answer, and forget the backlog instead of bursting later
      await Promise.race(inFlight);
      paceStart = Date.now();
      paceSent = 0;
      continue;
    }
    // next send is due in 1000/rate ms; sleep at least 1 ms and at most 50 ms to keep the progress line fresh
    await pause(Math.min(50, Math.max(1, 1000 / rate)), io.signal);
  }
  await Promise.all(inFlight);
  io.progress(progressLine());
}

function describeFailure(result: Extract<SendResult, { kind: "retryable" }>, url: string): string {
  return result.status === null
    ? `bridge ${result.reason} (${url})`
    : `${result.status} bridge error  ${result.reason}${result.retryAfterMs !== null ? " (Retry-After)" : ""}`;
}

/** Sleep unless aborted; false when the signal ended it. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms <= 0) return true;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

export function formatSummary(r: EmitterResult): string {
  const secs = r.elapsed_ms / 1000;
  return (
    `summary: sent ${r.sent}, accepted ${r.accepted}, refused ${r.refused}, failed ${r.failed}` +
    (r.retries ? `, retries ${r.retries}` : "") +
    `, latency p50 ${formatMs(r.latency_p50_ms)}, p99 ${formatMs(r.latency_p99_ms)}` +
    `, ${secs.toFixed(1)} s (${(r.sent / Math.max(secs, 0.001)).toFixed(1)}/s)${r.interrupted ? ", interrupted" : ""}`
  );
}
