import type { SummaryResponse } from "@bridge/shared";

/**
 * Okabe–Ito palette: distinguishable with the common colour-vision deficiencies. Black and the
 * light yellow come last (the yellow has a contrast of 1.2:1 on white, so lines also get dashes).
 */
export const MODULE_PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"] as const;
/** A dash pattern per module too, so lines differ without colour; repeats after the palette's 8. */
export const MODULE_DASHES = ["", "6 3", "2 3", "10 3 2 3", "1 4", "12 4", "4 2 1 2", "8 2"] as const;

/** And a marker shape at the points where a module had updates, so a band a few points wide still shows whose it is. */
export const MODULE_MARKERS = ["circle", "square", "diamond", "triangle"] as const;
export type MarkerShape = (typeof MODULE_MARKERS)[number];

export interface SeriesStyle {
  color: string;
  dash: string;
  marker: MarkerShape;
}

/** A stable style per module: modules sorted by name, then palette and dash by position. */
export function moduleStyles(modules: Iterable<string>): Record<string, SeriesStyle> {
  const sorted = [...new Set(modules)].sort();
  return Object.fromEntries(
    sorted.map((m, i) => [
      m,
      {
        color: MODULE_PALETTE[i % MODULE_PALETTE.length] ?? "#000000",
        // past 8 modules the colours repeat: shift the dashes so the pair stays unique up to 64
        dash: MODULE_DASHES[(i + Math.floor(i / MODULE_PALETTE.length)) % MODULE_DASHES.length] ?? "",
        marker: MODULE_MARKERS[i % MODULE_MARKERS.length] ?? "circle",
      },
    ]),
  );
}

/** One point of the throughput chart: bucket start (ms) and updates per minute for each module. */
export interface ThroughputPoint {
  t: number;
  total: number;
  [module: string]: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Summary buckets → updates per minute by module. A bucket wider than a minute (24 h window:
 * 15 min) is divided by its width in minutes, so the three windows read on the same scale.
 */
export function toThroughputSeries(summary: Pick<SummaryResponse, "bucket_seconds" | "modules" | "buckets">): ThroughputPoint[] {
  const minutes = summary.bucket_seconds / 60;
  return summary.buckets.map((b) => {
    const point: ThroughputPoint = { t: Date.parse(b.start), total: round2(b.count / minutes) };
    for (const m of summary.modules) point[m] = round2((b.counts[m] ?? 0) / minutes);
    return point;
  });
}

/** The busiest bucket in all and the busiest single module in any bucket, in updates per minute. */
export interface ThroughputPeaks {
  total: number;
  module: { name: string; rate: number } | null;
}

export function throughputPeaks(series: ThroughputPoint[], modules: readonly string[]): ThroughputPeaks {
  let total = 0;
  let module: ThroughputPeaks["module"] = null;
  for (const p of series) {
    total = Math.max(total, p.total);
    for (const m of modules) {
      const rate = p[m] ?? 0;
      if (rate > 0 && (module === null || rate > module.rate)) module = { name: m, rate };
    }
  }
  return { total, module };
}

/** One point of the latency chart: null where the bucket had no update, so the line breaks there. */
export interface LatencyPoint {
  t: number;
  avg: number | null;
  p95: number | null;
  count: number;
}

export function toLatencySeries(summary: Pick<SummaryResponse, "buckets">): LatencyPoint[] {
  return summary.buckets.map((b) => ({
    t: Date.parse(b.start),
    avg: b.count > 0 ? b.latency_avg_ms : null,
    p95: b.count > 0 ? b.latency_p95_ms : null,
    count: b.count,
  }));
}

/** True when no bucket of the window holds an update (the charts then say so instead of drawing flat lines). */
export function hasAnyUpdate(summary: Pick<SummaryResponse, "buckets">): boolean {
  return summary.buckets.some((b) => b.count > 0);
}

/** Per-module rows for the totals table: every module seen by status or summary, sorted by name. */
export interface ModuleRow {
  module: string;
  totalCount: number;
  windowCount: number;
  latencyAvgMs: number | null;
  latencyP95Ms: number | null;
  lastSyncTime: string | null;
}

export function toModuleRows(
  status: { module_sync_counts: Record<string, number>; module_last_sync_time: Record<string, string> } | undefined,
  summary: Pick<SummaryResponse, "totals"> | undefined,
): ModuleRow[] {
  const perModule = summary?.totals.per_module ?? {};
  const names = new Set([...Object.keys(status?.module_sync_counts ?? {}), ...Object.keys(perModule)]);
  return [...names].sort().map((module) => ({
    module,
    totalCount: status?.module_sync_counts[module] ?? 0,
    windowCount: perModule[module]?.count ?? 0,
    latencyAvgMs: perModule[module]?.latency_avg_ms ?? null,
    latencyP95Ms: perModule[module]?.latency_p95_ms ?? null,
    lastSyncTime: status?.module_last_sync_time[module] ?? null,
  }));
}
