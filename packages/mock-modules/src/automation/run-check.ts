import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import {
  AUTOMATION_MODULE,
  type AutomationReport,
  type CheckStep,
  type CheckStepName,
  IngestResponse,
  reportFailures,
  StatusResponse,
} from "@bridge/shared";

export interface CheckOptions {
  /** The bridge's base URL, e.g. http://127.0.0.1:8000 (a trailing slash is ignored). */
  url: string;
  /** Sent as `Authorization: Bearer <key>` on every call when given. */
  key?: string | undefined;
  /** Per call; a call that takes longer counts as not answered. */
  timeoutMs?: number;
  module?: string;
  runId?: string;
  now?: () => Date;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/** Bodies are kept in the report as received, cut at 4 KiB so a misbehaving proxy page cannot bloat it. */
const MAX_TEXT_BODY = 4096;

/** The automation check, step for step what the n8n workflow does: read the status, POST a test update as
 * the automation module, read the status again, and judge the three answers by `reportFailures`. */
export async function runCheck(opts: CheckOptions): Promise<AutomationReport> {
  const now = opts.now ?? (() => new Date());
  const base = opts.url.replace(/\/+$/, "");
  const module = opts.module ?? AUTOMATION_MODULE;
  const runId = opts.runId ?? randomUUID();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const startedAt = now().toISOString();
  const headers: Record<string, string> = opts.key ? { authorization: `Bearer ${opts.key}` } : {};
  const sent = {
    module,
    session_id: `automation-cli-${runId}`,
    data: { check: "bridge-automation", runner: "cli", run_id: runId, sent_at: startedAt },
  };

  const call = (step: CheckStepName, method: "GET" | "POST", path: string, body?: unknown) =>
    timedCall({ step, method, url: `${base}${path}`, headers, body, timeoutMs });

  const before = await call("status_before", "GET", "/bucket/status");
  const post = await call("post_update", "POST", "/core/update", sent);
  const after = await call("status_after", "GET", "/bucket/status");

  // Only the fields the rule needs, exactly as the n8n workflow's Build report node reads them.
  const ingest = post.ok ? IngestResponse.pick({ event_id: true }).safeParse(post.response) : null;
  const steps: AutomationReport["steps"] = [
    { ...before, step: "status_before" },
    { ...post, step: "post_update" },
    { ...after, step: "status_after" },
  ];
  const partial = {
    steps,
    sent,
    event_id: ingest?.success ? ingest.data.event_id : null,
    counts: { before: countOf(before, module), after: countOf(after, module) },
  };
  const failures = reportFailures(partial);
  return {
    report_version: 1,
    runner: "cli",
    run_id: runId,
    started_at: startedAt,
    finished_at: now().toISOString(),
    bridge_url: base,
    used_api_key: Boolean(opts.key),
    ...partial,
    pass: failures.length === 0,
    failures,
  };
}

/** The test module's count in a status answer: 0 when the module has not been seen yet, null when the
 * answer is not a status at all. */
function countOf(step: CheckStep, module: string): number | null {
  if (!step.ok) return null;
  const status = StatusResponse.pick({ module_sync_counts: true }).safeParse(step.response);
  if (!status.success) return null;
  return status.data.module_sync_counts[module] ?? 0;
}

async function timedCall(c: {
  step: CheckStepName;
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body: unknown;
  timeoutMs: number;
}): Promise<CheckStep> {
  const started = performance.now();
  const latency = () => Math.round((performance.now() - started) * 1000) / 1000;
  const base = { step: c.step, method: c.method, url: c.url };
  try {
    const res = await fetch(c.url, {
      method: c.method,
      headers: { accept: "application/json", ...c.headers, ...(c.body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(c.body !== undefined ? { body: JSON.stringify(c.body) } : {}),
      signal: AbortSignal.timeout(c.timeoutMs),
    });
    const text = await res.text();
    return { ...base, http_status: res.status, ok: res.ok, latency_ms: latency(), error: null, response: parseBody(text) };
  } catch (err) {
    return { ...base, http_status: null, ok: false, latency_ms: latency(), error: describeError(err, c.timeoutMs), response: null };
  }
}

function parseBody(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.length > MAX_TEXT_BODY ? `${text.slice(0, MAX_TEXT_BODY)}…` : text;
  }
}

/** fetch wraps the reason in `cause` ("fetch failed" → "connect ECONNREFUSED 127.0.0.1:8000"). */
function describeError(err: unknown, timeoutMs: number): string {
  if (err instanceof DOMException && err.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    if (cause instanceof Error && cause.message) return cause.message;
    return err.message;
  }
  return String(err);
}
