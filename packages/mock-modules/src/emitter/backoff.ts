/**
 * How long the emitter waits before trying the bridge again, as data.
 *
 * Exponential from 500 ms, doubling, capped at 30 s (the seed's interval: a bridge that is down for
 * long is still asked once per interval), with "equal jitter": half the step fixed, half random, so
 * many emitters restarted together do not hammer a bridge that comes back in lockstep, while the
 * printed wait stays meaningful. Retry-After from the bridge (429, 503) wins when it is longer.
 *
 *   attempt   1     2    3    4    5    6     7+
 *   step      0.5s  1s   2s   4s   8s   16s   30s   (the wait is between half the step and the step)
 */
export const BACKOFF = { baseMs: 500, factor: 2, capMs: 30_000 } as const;

export function backoffDelay(attempt: number, random: () => number, retryAfterMs: number | null = null): number {
  const step = Math.min(BACKOFF.capMs, BACKOFF.baseMs * BACKOFF.factor ** Math.max(0, attempt - 1));
  const delay = Math.round(step / 2 + (random() * step) / 2);
  return retryAfterMs !== null && retryAfterMs > delay ? retryAfterMs : delay;
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
