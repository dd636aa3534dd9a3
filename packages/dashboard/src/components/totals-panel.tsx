import type { ReactNode } from "react";
import type { StatusResponse, SummaryResponse, SummaryWindow } from "@bridge/shared";
import { formatCount, formatDuration, formatLatency } from "../lib/format.js";
import { RelativeTime } from "./relative-time.js";
import { WINDOW_LABELS } from "./window-picker.js";

function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>
        <span className="stat-value">{value}</span>
        {hint ? <span className="stat-hint">{hint}</span> : null}
      </dd>
    </div>
  );
}

export function TotalsPanel({
  status,
  summary,
  window,
  now,
  timeZone,
}: {
  status: StatusResponse | undefined;
  summary: SummaryResponse | undefined;
  window: SummaryWindow;
  now: number;
  timeZone: string;
}) {
  const w = WINDOW_LABELS[window];
  return (
    <section aria-labelledby="totals-title" className="panel">
      <h2 id="totals-title">Totals</h2>
      <dl className="stats">
        <Stat label="Total syncs" value={formatCount(status?.total_sync_count)} hint="since the start" />
        <Stat label={`Syncs, last ${w}`} value={formatCount(summary?.totals.count)} />
        <Stat label={`Average latency, last ${w}`} value={formatLatency(summary?.totals.latency_avg_ms)} />
        <Stat label={`p95 latency, last ${w}`} value={formatLatency(summary?.totals.latency_p95_ms)} />
        <Stat label="Last sync" value={<RelativeTime time={status?.last_sync_time ?? null} now={now} timeZone={timeZone} />} />
      </dl>
    </section>
  );
}

export function DeliveryPanel({ status, now, timeZone }: { status: StatusResponse | undefined; now: number; timeZone: string }) {
  const d = status?.delivery;
  const mode = d ? (d.mode === "embedded" ? "embedded: the bridge's own store is the Bucket" : "HTTP to the Bucket") : "";
  return (
    <section aria-labelledby="delivery-title" className="panel">
      <h2 id="delivery-title">Delivery health</h2>
      {d ? <p className="muted">Mode: {mode}</p> : null}
      <dl className="stats">
        <Stat
          label="Pending"
          value={formatCount(d?.pending)}
          hint={d?.oldest_pending_age_seconds != null ? `oldest ${formatDuration(d.oldest_pending_age_seconds * 1000)}` : undefined}
        />
        <Stat label="Retrying" value={formatCount(d?.retrying)} />
        <Stat label="Dead-lettered" value={<span className={d && d.dead > 0 ? "alarm" : undefined}>{formatCount(d?.dead)}</span>} />
        <Stat label="Delivered" value={formatCount(d?.delivered)} />
        <Stat label="Last delivered" value={<RelativeTime time={d?.last_delivered_time ?? null} now={now} timeZone={timeZone} />} />
      </dl>
    </section>
  );
}
