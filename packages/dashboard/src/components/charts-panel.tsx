import type { SummaryResponse } from "@bridge/shared";
// only the pieces drawn here: recharts is the heaviest dependency, and this file is its own chunk
import type { ReactNode } from "react";
import { Area, AreaChart, CartesianGrid, type DotItemDotProps, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import { hasAnyUpdate, type SeriesStyle, throughputPeaks, toLatencySeries, toThroughputSeries } from "../lib/chart-series.js";
import { formatAbsolute, formatClock, formatLatency, formatRate } from "../lib/format.js";
import { WINDOW_LABELS } from "./window-picker.js";

export interface ChartsPanelProps {
  summary: SummaryResponse;
  styles: Record<string, SeriesStyle>;
  timeZone: string;
}

const CHART_STYLE = { width: "100%", height: 240 } as const;
// Animations are off: the charts redraw on every refresh, and a moving line would "flash" the numbers.
const ANIMATE = false;

// The unit sits above the y axis, horizontally: rotated beside the axis it ran into the tick labels.
const MARGIN = { top: 30, right: 16, bottom: 0, left: 0 };
const unitLabel = (value: string) => ({ value, position: "top" as const, offset: 16, fill: "#595959", fontSize: 12 });

/** A marker where the module itself had updates (not where it is 0 and only the bands below it rise). */
function markerDot(module: string, style: SeriesStyle | undefined) {
  return (p: DotItemDotProps): ReactNode => {
    const own: unknown = p.payload?.[module];
    const { cx, cy } = p;
    if (typeof own !== "number" || own <= 0 || typeof cx !== "number" || typeof cy !== "number") return null;
    const key = `${module}-${p.index}`;
    const shared = {
      className: "throughput-marker",
      fill: "#fff",
      stroke: style?.color ?? "#000",
      strokeWidth: 2,
    };
    const r = 4;
    switch (style?.marker ?? "circle") {
      case "square":
        return <rect key={key} {...shared} x={cx - r} y={cy - r} width={2 * r} height={2 * r} />;
      case "diamond":
        return <polygon key={key} {...shared} points={`${cx},${cy - r - 1} ${cx + r + 1},${cy} ${cx},${cy + r + 1} ${cx - r - 1},${cy}`} />;
      case "triangle":
        return <polygon key={key} {...shared} points={`${cx},${cy - r - 1} ${cx + r + 1},${cy + r} ${cx - r - 1},${cy + r}`} />;
      default:
        return <circle key={key} {...shared} cx={cx} cy={cy} r={r} />;
    }
  };
}

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
  // 1-minute buckets hold whole counts; wider ones (24 h: 15 min) are averaged into fractions per minute
  const wholeCounts = summary.bucket_seconds === 60;
  const perMinute = wholeCounts ? "per minute" : `per minute (averaged over ${summary.bucket_seconds / 60} min buckets)`;
  const peaks = throughputPeaks(throughput, summary.modules);
  const throughputCaption = !any
    ? "No updates in this window."
    : summary.modules.length > 1 && peaks.module
      ? `Peak ${formatRate(peaks.total)}/min in all; busiest single module ${peaks.module.name}, ${formatRate(peaks.module.rate)}/min.`
      : `Peak ${formatRate(peaks.total)}/min.`;

  return (
    <div className="charts">
      <figure className="panel chart" data-testid="throughput-chart">
        <figcaption>
          <h2>Throughput</h2>
          <span className="muted">
            Updates {perMinute}, stacked by module (the top edge is all modules together), last {w}. {throughputCaption}
          </span>
        </figcaption>
        {/*
          Stacked areas, not one line per module: lines with the same counts lie on top of each other and
          read as one, while stacked bands each keep their own height, and the top of the stack is the total
          the caption quotes. Bands differ by Okabe–Ito colour, by their outline's dash pattern and by the
          marker shape at the points where the module had updates.
        */}
        <AreaChart responsive style={CHART_STYLE} data={throughput} margin={MARGIN}>
          <CartesianGrid stroke="#ddd" strokeDasharray="3 3" />
          <XAxis dataKey="t" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={tick} minTickGap={24} />
          <YAxis allowDecimals={!wholeCounts} tickFormatter={formatRate} width={44} label={unitLabel("/min")} />
          <Tooltip
            labelFormatter={(t, payload) => {
              const total = payload[0]?.payload?.total;
              return typeof total === "number" ? `${label(t)} · ${formatRate(total)}/min in all` : label(t);
            }}
            formatter={(v) => (typeof v === "number" ? `${formatRate(v)}/min` : String(v))}
          />
          <Legend />
          {summary.modules.map((m) => (
            <Area
              key={m}
              dataKey={m}
              name={m}
              stackId="modules"
              type="monotone"
              stroke={styles[m]?.color ?? "#000"}
              strokeDasharray={styles[m]?.dash ?? ""}
              strokeWidth={2}
              fill={styles[m]?.color ?? "#000"}
              fillOpacity={0.35}
              dot={markerDot(m, styles[m])}
              // the legend shows the same shape as the markers (recharts' legend types share their names)
              legendType={styles[m]?.marker ?? "circle"}
              isAnimationActive={ANIMATE}
            />
          ))}
        </AreaChart>
      </figure>
      <figure className="panel chart" data-testid="latency-chart">
        <figcaption>
          <h2>Latency</h2>
          <span className="muted">
            Processing latency, average and p95, last {w}.{" "}
            {any ? `Highest p95 ${formatLatency(peak(latency, (p) => p.p95))}.` : "No updates in this window."}
          </span>
        </figcaption>
        <LineChart responsive style={CHART_STYLE} data={latency} margin={MARGIN}>
          <CartesianGrid stroke="#ddd" strokeDasharray="3 3" />
          <XAxis dataKey="t" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={tick} minTickGap={24} />
          <YAxis width={48} label={unitLabel("ms")} />
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
