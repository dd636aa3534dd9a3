import type { SummaryWindow } from "@bridge/shared";
import type { ModuleRow, SeriesStyle } from "../lib/chart-series.js";
import { formatCount, formatLatency } from "../lib/format.js";
import { useNarrow } from "../lib/use-media-query.js";
import { RelativeTime } from "./relative-time.js";
import { ScrollRegion } from "./scroll-region.js";
import { WINDOW_LABELS } from "./window-picker.js";

export function ModuleSwatch({ style }: { style: SeriesStyle | undefined }) {
  return <span className="swatch" aria-hidden="true" style={{ background: style?.color ?? "#000" }} />;
}

/**
 * Per-module counts, latency over the window and last sync time. Narrow screens keep the module, its
 * count in the window, its p95 and its last sync (about 320 px); the total since the start and the
 * average latency need the width of a wider screen.
 */
export function ModulesTable({
  rows,
  styles,
  window,
  now,
  timeZone,
}: {
  rows: ModuleRow[];
  styles: Record<string, SeriesStyle>;
  window: SummaryWindow;
  now: number;
  timeZone: string;
}) {
  const w = WINDOW_LABELS[window];
  const narrow = useNarrow();
  const wide = !narrow;
  return (
    <section aria-labelledby="modules-title" className="panel">
      <h2 id="modules-title">Modules</h2>
      <ScrollRegion label="Modules table">
        <table className="data-table" data-narrow={narrow || undefined}>
          <caption className="sr-only">Syncs and latency per module; last sync as time ago, with the exact time in {timeZone}</caption>
          <thead>
            <tr>
              <th scope="col">Module</th>
              {wide ? (
                <th scope="col" className="num">
                  Total syncs
                </th>
              ) : null}
              <th scope="col" className="num">
                Last {w}
              </th>
              {wide ? (
                <th scope="col" className="num">
                  Avg latency
                </th>
              ) : null}
              <th scope="col" className="num">
                {wide ? "p95 latency" : "p95"}
              </th>
              {/* the cells say "31 s ago": the header names no zone; the exact time is each cell's hover title */}
              <th scope="col" title={`Time since the last sync; hover a time for the exact time in ${timeZone}`}>
                Last sync
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={wide ? 6 : 4} className="empty-cell">
                  No module has synced yet.
                </td>
              </tr>
            ) : (
              rows.map((r) => (
                <tr key={r.module}>
                  <th scope="row">
                    <ModuleSwatch style={styles[r.module]} /> {r.module}
                  </th>
                  {wide ? <td className="num">{formatCount(r.totalCount)}</td> : null}
                  <td className="num">{formatCount(r.windowCount)}</td>
                  {wide ? <td className="num">{formatLatency(r.latencyAvgMs)}</td> : null}
                  <td className="num">{formatLatency(r.latencyP95Ms)}</td>
                  <td>
                    <RelativeTime time={r.lastSyncTime} now={now} timeZone={timeZone} />
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </ScrollRegion>
    </section>
  );
}
