import { DASH, formatAbsolute, formatRelative } from "../lib/format.js";

/** "2 min ago", with the absolute time (in the viewer's zone) on hover and for screen readers. */
export function RelativeTime({ time, now, timeZone }: { time: string | number | null; now: number; timeZone: string }) {
  if (time === null) return <span>{DASH}</span>;
  const ms = typeof time === "number" ? time : Date.parse(time);
  const absolute = formatAbsolute(ms, timeZone);
  return (
    <time dateTime={new Date(ms).toISOString()} title={absolute}>
      {formatRelative(ms, now)}
      <span className="sr-only"> ({absolute})</span>
    </time>
  );
}
