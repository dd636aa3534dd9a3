import type { SummaryWindow } from "@bridge/shared";
import type { ModuleRow, SeriesStyle } from "../lib/chart-series.js";
import { formatCount, formatLatency } from "../lib/format.js";
import { RelativeTime } from "./relative-time.js";
import { WINDOW_LABELS } from "./window-picker.js";

export function ModuleSwatch({ style }: { style: SeriesStyle | undefined }) {
  return <span className="swatch" aria-hidden="true" style={{ background: style?.color ?? "#000" }} />;
}

/** Per-module counts, latency over the window and last sync time. */
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
  return (
    <section aria-labelledby="modules-title" className="panel">
      <h2 id="modules-title">Modules</h2>
      <div className="table-scroll">
        <table className="data-table">
          <caption className="sr-only">Syncs and latency per module; times in {timeZone}</caption>
          <thead>
            <tr>
              <th scope="col">Module</th>
              <th scope="col" className="num">
                Total syncs
              </th>
              <th scope="col" className="num">
                Last {w}
              </th>
              <th scope="col" className="num">
                Avg latency
              </th>
              <th scope="col" className="num">
                p95 latency
              </th>
              <th scope="col">
                Last sync <span className="muted">({timeZone})</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={6} className="empty-cell">
                  No module has synced yet.
                </td>
              </tr>
            ) : (
              rows.map((r) => (
                <tr key={r.module}>
                  <th scope="row">
                    <ModuleSwatch style={styles[r.module]} /> {r.module}
                  </th>
                  <td className="num">{formatCount(r.totalCount)}</td>
                  <td className="num">{formatCount(r.windowCount)}</td>
                  <td className="num">{formatLatency(r.latencyAvgMs)}</td>
                  <td className="num">{formatLatency(r.latencyP95Ms)}</td>
                  <td>
                    <RelativeTime time={r.lastSyncTime} now={now} timeZone={timeZone} />
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
