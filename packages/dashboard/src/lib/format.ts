/** Formatters for numbers, sizes, latencies and times. Pure: the clock and the time zone are arguments. */

const countFormat = new Intl.NumberFormat("en");

export const DASH = "—";

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? DASH : countFormat.format(n);
}

/** 0.42 ms, 12.3 ms, 250 ms, 1.25 s. */
export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return DASH;
  if (ms < 10) return `${trim(ms.toFixed(2))} ms`;
  if (ms < 100) return `${trim(ms.toFixed(1))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${trim((ms / 1000).toFixed(2))} s`;
}

/** 512 B, 1.5 KiB, 2 MiB (binary units, like the api's BODY_LIMIT). */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${trim((n / 1024).toFixed(1))} KiB`;
  if (n < 1024 ** 3) return `${trim((n / 1024 ** 2).toFixed(1))} MiB`;
  return `${trim((n / 1024 ** 3).toFixed(1))} GiB`;
}

const rateFormat = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });

/** Updates per minute: whole counts as they are, averages of wider buckets to at most 2 decimals (0.07, 1.5). */
export function formatRate(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? DASH : rateFormat.format(n);
}

const trim = (s: string) => s.replace(/\.0+$/, "").replace(/(\.\d*?)0+$/, "$1");

/** "just now", "12 s ago", "2 min ago", "3 h ago", "4 d ago"; a time in the future reads "just now". */
export function formatRelative(thenMs: number, nowMs: number): string {
  const s = Math.floor((nowMs - thenMs) / 1000);
  if (s < 1) return "just now";
  if (s < 60) return `${s} s ago`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

/** "34 s", "2 min 5 s", "1 h 3 min": how long something has lasted. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return s % 60 === 0 ? `${min} min` : `${min} min ${s % 60} s`;
  const h = Math.floor(min / 60);
  return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
}

/** The viewer's IANA time zone, e.g. "Europe/Berlin". */
export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** "2026-12-03 15:52:05 GMT+1": date, 24 h time and the zone, in the given time zone. */
export function formatAbsolute(time: string | number, timeZone: string): string {
  const d = new Date(time);
  if (Number.isNaN(d.getTime())) return DASH;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`;
}

/** "15:52:05": the time of day in the given time zone, for tables and chart axes. */
export function formatClock(time: string | number, timeZone: string, withSeconds = true): string {
  const d = new Date(time);
  if (Number.isNaN(d.getTime())) return DASH;
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    ...(withSeconds ? { second: "2-digit" } : {}),
    hourCycle: "h23",
  }).format(d);
}

/** Long identifiers shortened for a table cell: the first 8 characters and an ellipsis. */
export function shortId(id: string, keep = 8): string {
  return id.length <= keep + 1 ? id : `${id.slice(0, keep)}…`;
}
