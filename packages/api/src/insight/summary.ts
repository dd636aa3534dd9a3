import { SUMMARY_WINDOWS, type SummaryBucket, type SummaryResponse, type SummaryWindow } from "@bridge/shared";
import { iso } from "../clock.js";
import { LATENCY_BINS_MS, type SummaryRow } from "../storage/event-store.js";

/**
 * Percentile from a histogram over LATENCY_BINS_MS, interpolated linearly inside the bin that
 * holds the target rank. The open last bin (> 4096 ms) reports its lower edge.
 */
export function percentileFromHistogram(histogram: readonly number[], p: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const target = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    const inBin = histogram[i] ?? 0;
    if (seen + inBin >= target) {
      const lower = i === 0 ? 0 : (LATENCY_BINS_MS[i - 1] as number);
      const upper = LATENCY_BINS_MS[i] as number;
      if (!Number.isFinite(upper)) return lower;
      return round(lower + (upper - lower) * ((target - seen) / inBin));
    }
    seen += inBin;
  }
  return null;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

function addInto(acc: number[], h: readonly number[]): void {
  for (let i = 0; i < h.length; i++) acc[i] = (acc[i] ?? 0) + (h[i] ?? 0);
}

interface Acc {
  count: number;
  latencySum: number;
  histogram: number[];
}
const emptyAcc = (): Acc => ({ count: 0, latencySum: 0, histogram: LATENCY_BINS_MS.map(() => 0) });
const stats = (a: Acc) => ({
  count: a.count,
  latency_avg_ms: a.count > 0 ? round(a.latencySum / a.count) : null,
  latency_p95_ms: percentileFromHistogram(a.histogram, 0.95),
});

/** The window [from, to] for a summary ending now, aligned to whole buckets. */
export function summaryRange(window: SummaryWindow, now: number): { from: number; to: number; bucketMs: number } {
  const w = SUMMARY_WINDOWS[window];
  const bucketMs = w.bucketSeconds * 1000;
  const lastBucket = Math.floor(now / bucketMs) * bucketMs;
  const from = lastBucket - (w.seconds / w.bucketSeconds - 1) * bucketMs;
  return { from, to: now, bucketMs };
}

/** Turn rollup rows into the summary: every bucket of the window present (zero-filled), oldest first. */
export function buildSummary(window: SummaryWindow, now: number, rows: readonly SummaryRow[]): Omit<SummaryResponse, "delivery"> {
  const { from, bucketMs } = summaryRange(window, now);
  const n = SUMMARY_WINDOWS[window].seconds / SUMMARY_WINDOWS[window].bucketSeconds;
  const modules = [...new Set(rows.map((r) => r.module))].sort();
  const buckets: Array<{ acc: Acc; counts: Record<string, number> }> = Array.from({ length: n }, () => ({ acc: emptyAcc(), counts: {} }));
  const total = emptyAcc();
  const perModule = new Map<string, Acc>();
  for (const r of rows) {
    const idx = Math.floor((r.bucketStart - from) / bucketMs);
    const b = buckets[idx];
    if (!b) continue;
    b.counts[r.module] = (b.counts[r.module] ?? 0) + r.count;
    for (const acc of [b.acc, total, perModule.get(r.module) ?? perModule.set(r.module, emptyAcc()).get(r.module)]) {
      if (!acc) continue;
      acc.count += r.count;
      acc.latencySum += r.latencySum;
      addInto(acc.histogram, r.histogram);
    }
  }
  const out: SummaryBucket[] = buckets.map((b, i) => {
    const counts: Record<string, number> = {};
    for (const m of modules) counts[m] = b.counts[m] ?? 0;
    return { start: iso(from + i * bucketMs), counts, ...stats(b.acc) };
  });
  return {
    window,
    bucket_seconds: bucketMs / 1000,
    from: iso(from),
    to: iso(now),
    modules,
    buckets: out,
    totals: { ...stats(total), per_module: Object.fromEntries(modules.map((m) => [m, stats(perModule.get(m) ?? emptyAcc())])) },
  };
}
