import type { DeliveryConfig } from "./delivery-config.js";

/**
 * The retry policy as data. With the defaults (docs/delivery.md has the table):
 *   attempts 15, base 1 s, cap 10 min, full jitter:
 *   the wait after failure n is uniform in [0, min(600 s, 1 s × 2^(n-1))]:
 *   ≤1, 2, 4, 8, 16, 32, 64, 128, 256, 512 s, then ≤600 s for failures 11-14;
 *   the 15th failure dead-letters. Worst case 3,423 s (≈ 57 min) of waiting in all, about half on average.
 */
export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
  /** A Retry-After longer than this is clamped, so one odd header cannot park an event for days. */
  retryAfterMaxMs: number;
}

export const RETRY_AFTER_MAX_MS = 3600_000;

export function retryPolicy(c: Pick<DeliveryConfig, "maxAttempts" | "backoffBaseMs" | "backoffMaxMs">): RetryPolicy {
  return { maxAttempts: c.maxAttempts, baseMs: c.backoffBaseMs, maxMs: c.backoffMaxMs, retryAfterMaxMs: RETRY_AFTER_MAX_MS };
}

/** Upper bound of the wait after the n-th failure (n ≥ 1): min(max, base × 2^(n-1)). */
export function backoffCapMs(p: RetryPolicy, failures: number): number {
  const exp = Math.min(failures - 1, 40); // 2^40 × 1 ms is past any cap; keeps the number finite
  return Math.min(p.maxMs, p.baseMs * 2 ** Math.max(0, exp));
}

/**
 * The wait before the next attempt: full jitter (uniform in [0, cap]) so a burst of failures does
 * not come back as a burst, but never sooner than the Bucket's Retry-After.
 */
export function retryDelayMs(p: RetryPolicy, failures: number, random: () => number, retryAfterMs: number | null): number {
  const jittered = Math.floor(random() * backoffCapMs(p, failures));
  return retryAfterMs === null ? jittered : Math.max(jittered, Math.min(retryAfterMs, p.retryAfterMaxMs));
}

/** The cap after each failure that is retried, for the docs and the startup log. */
export function schedule(p: RetryPolicy): number[] {
  return Array.from({ length: Math.max(0, p.maxAttempts - 1) }, (_, i) => backoffCapMs(p, i + 1));
}

/** What an answer (or its absence) means for the event. */
export type Verdict =
  | { kind: "delivered" }
  | { kind: "retry"; reason: string; retryAfterMs: number | null }
  | { kind: "dead"; reason: string };

/** Statuses worth another try: timeout, too early, rate limited, and every 5xx. */
const RETRYABLE_4XX = new Set([408, 425, 429]);

/**
 * The outcome rules. 2xx: delivered; 409: the Bucket already has this event id, so delivered;
 * 408, 425, 429, 5xx: retried; any other status (other 4xx, 3xx, 1xx) is permanent: the request
 * itself is wrong (bad token, bad signature, bad shape, wrong URL) and repeating it cannot help.
 */
export function classifyStatus(status: number, retryAfterMs: number | null, body: string): Verdict {
  if ((status >= 200 && status < 300) || status === 409) return { kind: "delivered" };
  const reason = `HTTP ${status}${body ? `: ${body}` : ""}`;
  if (status >= 500 || RETRYABLE_4XX.has(status)) return { kind: "retry", reason, retryAfterMs };
  return { kind: "dead", reason };
}

/** Retry-After as delay-seconds or an HTTP-date; null when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number): number | null {
  if (header === null) return null;
  const v = header.trim();
  if (/^\d{1,10}$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
