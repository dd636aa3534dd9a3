import type { SummaryResponse } from "@bridge/shared";
// only the pieces drawn here: recharts is the heaviest dependency, and this file is its own chunk
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import { hasAnyUpdate, type SeriesStyle, toLatencySeries, toThroughputSeries } from "../lib/chart-series.js";
import { formatAbsolute, formatClock, formatLatency } from "../lib/format.js";
import { WINDOW_LABELS } from "./window-picker.js";

export interface ChartsPanelProps {
  summary: SummaryResponse;
  styles: Record<string, SeriesStyle>;
  timeZone: string;
}

const CHART_STYLE = { width: "100%", height: 240 } as const;
// Animations are off: the charts redraw on every refresh, and a moving line would "flash" the numbers.
const ANIMATE = false;

const peak = <T,>(xs: T[], f: (x: T) => number | null) => xs.reduce((m, x) => Math.max(m, f(x) ?? 0), 0);

/** The throughput and latency charts over the chosen window (default export: loaded lazily). */
export default function ChartsPanel({ summary, styles, timeZone }: ChartsPanelProps) {
  const throughput = toThroughputSeries(summary);
  const latency = toLatencySeries(summary);
  const any = hasAnyUpdate(summary);
  const w = WINDOW_LABELS[summary.window];
  const withSeconds = false;
  const tick = (t: number) => formatClock(t, timeZone, withSeconds);
  const label = (t: unknown) => (typeof t === "number" ? formatAbsolute(t, timeZone) : String(t));
  const perMinute = summary.bucket_seconds === 60 ? "per minute" : `per minute (averaged over ${summary.bucket_seconds / 60} min buckets)`;

  return (
    <div className="charts">
      <figure className="panel chart" data-testid="throughput-chart">
        <figcaption>
          <h2>Throughput</h2>
          <span className="muted">
            Updates {perMinute} by module, last {w}. {any ? `Peak ${peak(throughput, (p) => p.total)}/min.` : "No updates in this window."}
          </span>
        </figcaption>
        <LineChart responsive style={CHART_STYLE} data={throughput} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#ddd" strokeDasharray="3 3" />
          <XAxis dataKey="t" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={tick} minTickGap={24} />
          <YAxis allowDecimals width={40} label={{ value: "/min", angle: -90, position: "insideLeft" }} />
          <Tooltip labelFormatter={label} />
          <Legend />
          {summary.modules.map((m) => (
            <Line
              key={m}
              dataKey={m}
              name={m}
              type="monotone"
              stroke={styles[m]?.color ?? "#000"}
              strokeDasharray={styles[m]?.dash ?? ""}
              strokeWidth={2}
              dot={false}
              isAnimationActive={ANIMATE}
            />
          ))}
        </LineChart>
      </figure>
      <figure className="panel chart" data-testid="latency-chart">
        <figcaption>
          <h2>Latency</h2>
          <span className="muted">
            Processing latency, average and p95, last {w}.{" "}
            {any ? `Highest p95 ${formatLatency(peak(latency, (p) => p.p95))}.` : "No updates in this window."}
          </span>
        </figcaption>
        <LineChart responsive style={CHART_STYLE} data={latency} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#ddd" strokeDasharray="3 3" />
          <XAxis dataKey="t" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={tick} minTickGap={24} />
          <YAxis width={48} label={{ value: "ms", angle: -90, position: "insideLeft" }} />
          <Tooltip labelFormatter={label} formatter={(v) => (typeof v === "number" ? formatLatency(v) : String(v))} />
          <Legend />
          <Line dataKey="avg" name="average" stroke="#0072B2" strokeWidth={2} dot={{ r: 2 }} isAnimationActive={ANIMATE} />
          <Line
            dataKey="p95"
            name="p95"
            stroke="#D55E00"
            strokeDasharray="6 3"
            strokeWidth={2}
            dot={{ r: 2 }}
            isAnimationActive={ANIMATE}
          />
        </LineChart>
      </figure>
    </div>
  );
}
