import type { Connection } from "../lib/connection-state.js";
import { formatClock, formatDuration } from "../lib/format.js";

/** The outage and error states. Loading, empty and needs-key have their own panels. */
export function ConnectionBanner({
  connection,
  now,
  timeZone,
  refreshMs,
  paused,
}: {
  connection: Connection;
  now: number;
  timeZone: string;
  refreshMs: number;
  paused: boolean;
}) {
  if (connection.kind === "unreachable") {
    const last = connection.lastDataAt;
    return (
      <section className="banner banner-stale" role="alert" data-testid="stale-banner">
        <h2>API unreachable: showing the last data</h2>
        <p>
          {last === null ? (
            "No data has been received yet."
          ) : (
            <>
              Stale since <time dateTime={new Date(last).toISOString()}>{formatClock(last, timeZone)}</time> ({formatDuration(now - last)}
              ).
            </>
          )}{" "}
          {paused ? "Auto-refresh is paused: resume it or refresh now to retry." : `Retrying every ${formatDuration(refreshMs)}.`}
        </p>
        <p className="muted">{connection.message}</p>
      </section>
    );
  }
  if (connection.kind === "error") {
    return (
      <section className="banner banner-error" role="alert">
        <h2>The api answered with an error</h2>
        <p>{connection.message}</p>
      </section>
    );
  }
  return null;
}
