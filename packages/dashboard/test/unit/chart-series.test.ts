import type { SummaryResponse } from "@bridge/shared";
import { describe, expect, it } from "vitest";
import {
  hasAnyUpdate,
  MODULE_MARKERS,
  MODULE_PALETTE,
  moduleStyles,
  toLatencySeries,
  toModuleRows,
  throughputPeaks,
  toThroughputSeries,
} from "../../src/lib/chart-series.js";

type Bucket = SummaryResponse["buckets"][number];
const bucket = (start: string, counts: Record<string, number>, avg: number | null = null, p95: number | null = null): Bucket => {
  const count = Object.values(counts).reduce((a, b) => a + b, 0);
  return { start, counts, count, latency_avg_ms: count > 0 ? avg : null, latency_p95_ms: count > 0 ? p95 : null };
};
const T0 = "2026-12-03T14:00:00.000Z";
const T1 = "2026-12-03T14:01:00.000Z";
const T2 = "2026-12-03T14:15:00.000Z";

describe("toThroughputSeries", () => {
  it.each([
    {
      name: "one-minute buckets give the counts as they are",
      input: {
        bucket_seconds: 60,
        modules: ["education", "finance"],
        buckets: [bucket(T0, { education: 3, finance: 0 }), bucket(T1, { education: 1, finance: 2 })],
      },
      expected: [
        { t: Date.parse(T0), total: 3, education: 3, finance: 0 },
        { t: Date.parse(T1), total: 3, education: 1, finance: 2 },
      ],
    },
    {
      name: "15-minute buckets (24 h window) are divided into updates per minute",
      input: { bucket_seconds: 900, modules: ["education"], buckets: [bucket(T0, { education: 30 }), bucket(T2, { education: 1 })] },
      expected: [
        { t: Date.parse(T0), total: 2, education: 2 },
        { t: Date.parse(T2), total: 0.07, education: 0.07 },
      ],
    },
    {
      name: "a module missing from a bucket's counts reads 0",
      input: { bucket_seconds: 60, modules: ["creative", "education"], buckets: [bucket(T0, { education: 2 })] },
      expected: [{ t: Date.parse(T0), total: 2, creative: 0, education: 2 }],
    },
    {
      name: "an empty window gives zero points, one per bucket",
      input: { bucket_seconds: 60, modules: [], buckets: [bucket(T0, {}), bucket(T1, {})] },
      expected: [
        { t: Date.parse(T0), total: 0 },
        { t: Date.parse(T1), total: 0 },
      ],
    },
    { name: "no buckets give no points", input: { bucket_seconds: 60, modules: ["x"], buckets: [] }, expected: [] },
  ])("when $name, then the series matches", ({ input, expected }) => {
    expect(toThroughputSeries(input)).toEqual(expected);
  });
});

describe("throughputPeaks", () => {
  it.each([
    {
      name: "three modules peak in the same minute",
      series: [
        { t: 0, total: 6, a: 2, b: 2, c: 2 },
        { t: 1, total: 1, a: 1, b: 0, c: 0 },
      ],
      expected: { total: 6, module: { name: "a", rate: 2 } },
    },
    {
      name: "the busiest module's peak is in another bucket than the total's",
      series: [
        { t: 0, total: 4, a: 1, b: 1, c: 2 },
        { t: 1, total: 3, a: 3, b: 0, c: 0 },
      ],
      expected: { total: 4, module: { name: "a", rate: 3 } },
    },
    { name: "nothing was sent", series: [{ t: 0, total: 0, a: 0, b: 0, c: 0 }], expected: { total: 0, module: null } },
  ])("when $name, then the total and the single-module peak are told apart", ({ series, expected }) => {
    expect(throughputPeaks(series, ["a", "b", "c"])).toEqual(expected);
  });
});

describe("toLatencySeries", () => {
  it.each([
    {
      name: "buckets with updates carry their average and p95",
      buckets: [bucket(T0, { a: 2 }, 1.5, 3.2)],
      expected: [{ t: Date.parse(T0), avg: 1.5, p95: 3.2, count: 2 }],
    },
    {
      name: "an empty bucket is a gap (null), not a zero latency",
      buckets: [bucket(T0, { a: 1 }, 2, 2), bucket(T1, { a: 0 }), bucket(T2, { a: 4 }, 8, 16)],
      expected: [
        { t: Date.parse(T0), avg: 2, p95: 2, count: 1 },
        { t: Date.parse(T1), avg: null, p95: null, count: 0 },
        { t: Date.parse(T2), avg: 8, p95: 16, count: 4 },
      ],
    },
  ])("when $name, then the series matches", ({ buckets, expected }) => {
    expect(toLatencySeries({ buckets })).toEqual(expected);
  });

  it.each([
    [[bucket(T0, {}), bucket(T1, { a: 0 })], false],
    [[bucket(T0, {}), bucket(T1, { a: 1 }, 1, 1)], true],
    [[], false],
  ])("when the buckets are %j, then hasAnyUpdate is %s", (buckets, expected) => {
    expect(hasAnyUpdate({ buckets })).toBe(expected);
  });
});

describe("moduleStyles", () => {
  it("when modules arrive in any order, then each keeps the same colour (sorted by name)", () => {
    const a = moduleStyles(["finance", "education", "creative"]);
    const b = moduleStyles(["creative", "finance", "education", "finance"]);
    expect(a).toEqual(b);
    expect(a.creative?.color).toBe(MODULE_PALETTE[0]);
    expect(a.education?.color).toBe(MODULE_PALETTE[1]);
    expect(a.finance?.color).toBe(MODULE_PALETTE[2]);
  });

  it("when there are more modules than colours, then colour and dash together stay unique", () => {
    const names = Array.from({ length: 20 }, (_, i) => `m${String(i).padStart(2, "0")}`);
    const styles = Object.values(moduleStyles(names));
    expect(new Set(styles.map((s) => `${s.color}|${s.dash}`)).size).toBe(20);
  });

  it("when there are up to 4 modules, then each also gets its own marker shape", () => {
    const styles = Object.values(moduleStyles(["a", "b", "c", "d"]));
    expect(styles.map((s) => s.marker)).toEqual([...MODULE_MARKERS]);
  });
});

describe("toModuleRows", () => {
  const status = {
    module_sync_counts: { education: 5, finance: 2 },
    module_last_sync_time: { education: "2026-12-03T14:52:05.341Z", finance: "2026-12-03T13:00:00.000Z" },
  };
  const stats = (count: number, avg: number | null, p95: number | null) => ({ count, latency_avg_ms: avg, latency_p95_ms: p95 });

  it.each([
    {
      name: "status and summary agree on the modules",
      summary: { totals: { ...stats(3, 1, 2), per_module: { education: stats(3, 1, 2) } } },
      expected: [
        { module: "education", totalCount: 5, windowCount: 3, latencyAvgMs: 1, latencyP95Ms: 2, lastSyncTime: "2026-12-03T14:52:05.341Z" },
        {
          module: "finance",
          totalCount: 2,
          windowCount: 0,
          latencyAvgMs: null,
          latencyP95Ms: null,
          lastSyncTime: "2026-12-03T13:00:00.000Z",
        },
      ],
    },
    {
      name: "the summary has not loaded yet",
      summary: undefined,
      expected: [
        {
          module: "education",
          totalCount: 5,
          windowCount: 0,
          latencyAvgMs: null,
          latencyP95Ms: null,
          lastSyncTime: "2026-12-03T14:52:05.341Z",
        },
        {
          module: "finance",
          totalCount: 2,
          windowCount: 0,
          latencyAvgMs: null,
          latencyP95Ms: null,
          lastSyncTime: "2026-12-03T13:00:00.000Z",
        },
      ],
    },
  ])("when $name, then there is one row per module, sorted", ({ summary, expected }) => {
    expect(toModuleRows(status, summary)).toEqual(expected);
  });

  it("when a module is in the summary but not yet in the status, then it still gets a row", () => {
    const rows = toModuleRows(undefined, { totals: { ...stats(1, 4, 4), per_module: { creative: stats(1, 4, 4) } } });
    expect(rows).toEqual([{ module: "creative", totalCount: 0, windowCount: 1, latencyAvgMs: 4, latencyP95Ms: 4, lastSyncTime: null }]);
  });
});
