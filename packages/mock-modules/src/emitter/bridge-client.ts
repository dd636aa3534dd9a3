import { performance } from "node:perf_hooks";
import { type IngestRequest, IngestResponse, ProblemDetails } from "@bridge/shared";
import { parseRetryAfter } from "./backoff.js";

/** The outcome of one POST /core/update, sorted by what the sender should do next. */
export type SendResult =
  | { kind: "accepted"; status: number; latencyMs: number; response: IngestResponse | null }
  | { kind: "refused"; status: number; latencyMs: number; reason: string }
  | { kind: "retryable"; status: number | null; latencyMs: number | null; reason: string; retryAfterMs: number | null };

export interface ClientOptions {
  /** Base URL of the bridge, e.g. http://127.0.0.1:8000 */
  url: string;
  /** Sent as `Authorization: Bearer <key>`; never printed. */
  key: string | null;
  /** Per request; a request that takes longer counts as the bridge being unreachable. */
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** Statuses worth trying again (the same set the bridge's own delivery worker retries):
 * 408 and 429 are "later", 409 is "your first request with this key is still in flight", 5xx is the bridge's fault. */
const RETRYABLE = (status: number) => status === 408 || status === 409 || status === 429 || status >= 500;

export function updateUrl(base: string): string {
  return new URL("core/update", base.endsWith("/") ? base : `${base}/`).toString();
}

/** One attempt. The Idempotency-Key stays the same across attempts of one update, so a retry after a
 * lost answer is counted once by the bridge. */
export async function sendUpdate(opts: ClientOptions, update: IngestRequest, idempotencyKey: string): Promise<SendResult> {
  const doFetch = opts.fetch ?? fetch;
  const headers: Record<string, string> = { "content-type": "application/json", "idempotency-key": idempotencyKey };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  const started = performance.now();
  let res: Response;
  let text: string;
  try {
    res = await doFetch(updateUrl(opts.url), {
      method: "POST",
      headers,
      body: JSON.stringify(update),
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    return {
      kind: "retryable",
      status: null,
      latencyMs: null,
      reason: `unreachable: ${networkReason(err, opts.timeoutMs)}`,
      retryAfterMs: null,
    };
  }
  const latencyMs = performance.now() - started;
  if (res.ok) {
    const parsed = IngestResponse.safeParse(safeJson(text));
    return { kind: "accepted", status: res.status, latencyMs, response: parsed.success ? parsed.data : null };
  }
  const reason = problemReason(res.status, text);
  if (RETRYABLE(res.status)) {
    return {
      kind: "retryable",
      status: res.status,
      latencyMs,
      reason,
      retryAfterMs: parseRetryAfter(res.headers.get("retry-after"), Date.now()),
    };
  }
  return { kind: "refused", status: res.status, latencyMs, reason };
}

/** "validation_failed: Field 'data' must be a JSON object [data: must be a JSON object]": the bridge's own words. */
export function problemReason(status: number, text: string): string {
  const problem = ProblemDetails.safeParse(safeJson(text));
  if (problem.success) {
    const p = problem.data;
    const fields = p.errors?.length ? ` [${p.errors.map((e) => `${e.field}: ${e.message}`).join("; ")}]` : "";
    return `${p.code}: ${p.detail}${fields}`;
  }
  const snippet = text.replace(/\s+/g, " ").trim().slice(0, 200);
  return snippet ? `HTTP ${status}: ${snippet}` : `HTTP ${status}`;
}

/** "connect ECONNREFUSED 127.0.0.1:8000", "no answer within 10 s", ... */
function networkReason(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) return `no answer within ${timeoutMs} ms`;
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.message) return cause.message;
  if (cause?.code) return cause.code;
  return err instanceof Error ? err.message : String(err);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
