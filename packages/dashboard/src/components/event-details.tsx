import { useQuery } from "@tanstack/react-query";
import type { ApiClient } from "../api/api-client.js";
import { eventDetailQuery } from "../api/queries.js";
import { DASH, formatAbsolute, formatLatency } from "../lib/format.js";

/** A payload can be up to BODY_LIMIT (1 MiB): show the first 4 KiB, the rest is in the api. */
const DATA_PREVIEW_CHARS = 4096;

/** One event's data and delivery attempts (GET /insight/events/:id), shown under its row. */
export function EventDetails({ client, id, timeZone }: { client: ApiClient; id: string; timeZone: string }) {
  const q = useQuery(eventDetailQuery(client, id));
  if (q.isPending) return <p className="muted">Loading event {id}…</p>;
  if (q.isError)
    return (
      <p className="error-text">
        Could not load event {id}: {q.error.message}
      </p>
    );
  const e = q.data;
  const json = JSON.stringify(e.data, null, 2);
  const at = (t: string | null) => (t ? formatAbsolute(t, timeZone) : DASH);
  return (
    <div className="event-details">
      <dl className="details-list">
        <dt>Event id</dt>
        <dd className="mono">{e.id}</dd>
        <dt>Session</dt>
        <dd className="mono">{e.session_id}</dd>
        <dt>Sequence in module</dt>
        <dd>{e.sequence}</dd>
        <dt>Delivered</dt>
        <dd>
          {at(e.delivered_at)}
          {e.delivery_latency_ms !== null ? ` (after ${formatLatency(e.delivery_latency_ms)})` : ""}
        </dd>
        {e.next_attempt_at ? (
          <>
            <dt>Next attempt</dt>
            <dd>{at(e.next_attempt_at)}</dd>
          </>
        ) : null}
        {e.last_error ? (
          <>
            <dt>Last error</dt>
            <dd className="error-text">{e.last_error}</dd>
          </>
        ) : null}
      </dl>
      <h3>Data</h3>
      <pre className="event-data">{json.length > DATA_PREVIEW_CHARS ? `${json.slice(0, DATA_PREVIEW_CHARS)}\n…` : json}</pre>
      <h3>Delivery attempts</h3>
      {e.delivery_attempts.length === 0 ? (
        <p className="muted">None{e.delivery_status === "delivered" ? " needed: stored in the embedded Bucket" : " yet"}.</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Started ({timeZone})</th>
              <th scope="col" className="num">
                Took
              </th>
              <th scope="col">Outcome</th>
              <th scope="col">HTTP</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {e.delivery_attempts.map((a) => (
              <tr key={a.attempt}>
                <td>{a.attempt}</td>
                <td>{formatAbsolute(a.started_at, timeZone)}</td>
                <td className="num">{formatLatency(a.duration_ms)}</td>
                <td>{a.outcome}</td>
                <td>{a.http_status ?? DASH}</td>
                <td>{a.error ?? DASH}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
