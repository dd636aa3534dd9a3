import { DeliveryStatus, type EventsPage } from "@bridge/shared";
import { Fragment, useId, useState } from "react";
import type { ApiClient } from "../api/api-client.js";
import type { SeriesStyle } from "../lib/chart-series.js";
import { formatAbsolute, formatBytes, formatClock, formatCount, formatLatency, shortId } from "../lib/format.js";
import { useNarrow } from "../lib/use-media-query.js";
import { DELIVERY_LABELS, DeliveryBadge } from "./delivery-badge.js";
import { EventDetails } from "./event-details.js";
import { ModuleSwatch } from "./modules-table.js";
import { ScrollRegion } from "./scroll-region.js";

type Event = EventsPage["events"][number];

export interface EventsTableProps {
  client: ApiClient;
  page: EventsPage | undefined;
  /** The rows shown are the previous page's or filter's while the new one loads. */
  placeholder: boolean;
  loading: boolean;
  modules: string[];
  styles: Record<string, SeriesStyle>;
  module: string | undefined;
  status: DeliveryStatus | undefined;
  pageNumber: number;
  timeZone: string;
  onModule(m: string | undefined): void;
  onStatus(s: DeliveryStatus | undefined): void;
  onNewer(): void;
  onOlder(cursor: string): void;
}

/**
 * The sync events, newest first, filterable by module and delivery status, one keyset page at a time.
 * A table on wide screens; on narrow ones a list of cards, each with its received time, module and
 * delivery status on the first line and latency, session and attempts on the second, so nothing that
 * matters sits off-screen in a sideways scroll (the 8-column table needs about 720 px).
 */
export function EventsTable(props: EventsTableProps) {
  const { page, placeholder, loading, modules, styles, module, status, pageNumber, timeZone } = props;
  const id = useId();
  const narrow = useNarrow();
  const [open, setOpen] = useState<string | null>(null);
  const events = page?.events ?? [];
  const nextCursor = page?.next_cursor ?? null;
  const filtered = module !== undefined || status !== undefined;
  const busy = placeholder || loading;
  const emptyText = loading ? "Loading events…" : filtered ? "No events match these filters." : "No events yet.";
  const detailsId = (e: Event) => `${id}-details-${e.id}`;
  const detailsButton = (e: Event) => (
    <button
      type="button"
      className="link-button"
      aria-expanded={open === e.id}
      aria-controls={detailsId(e)}
      aria-label={`Details of the ${e.module} event received ${formatClock(e.received_at, timeZone)}`}
      onClick={() => setOpen((o) => (o === e.id ? null : e.id))}
    >
      {open === e.id ? "Hide" : "Details"}
    </button>
  );
  const received = (e: Event) => (
    <time dateTime={e.received_at} title={formatAbsolute(e.received_at, timeZone)}>
      {formatClock(e.received_at, timeZone)}
    </time>
  );
  return (
    <section aria-labelledby="events-title" className="panel">
      <h2 id="events-title">Sync events</h2>
      <div className="filters">
        <label htmlFor={`${id}-module`}>Module</label>
        <select id={`${id}-module`} value={module ?? ""} onChange={(e) => props.onModule(e.target.value || undefined)}>
          <option value="">All modules</option>
          {modules.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-status`}>Delivery status</label>
        <select
          id={`${id}-status`}
          value={status ?? ""}
          onChange={(e) => {
            const parsed = DeliveryStatus.safeParse(e.target.value);
            props.onStatus(parsed.success ? parsed.data : undefined);
          }}
        >
          <option value="">All statuses</option>
          {DeliveryStatus.options.map((s) => (
            <option key={s} value={s}>
              {DELIVERY_LABELS[s].label}
            </option>
          ))}
        </select>
      </div>
      {narrow ? (
        <ol
          className="event-list"
          aria-label={`Sync events, newest first, page ${pageNumber}; times in ${timeZone}`}
          aria-busy={busy}
          data-placeholder={placeholder || undefined}
        >
          {events.length === 0 ? (
            <li className="event-card empty-cell">{emptyText}</li>
          ) : (
            events.map((e) => (
              <li key={e.id} className="event-card">
                <div className="event-card-line">
                  <span className="event-card-what">
                    {received(e)}{" "}
                    <span className="event-card-module">
                      <ModuleSwatch style={styles[e.module]} /> {e.module}
                    </span>
                  </span>
                  <DeliveryBadge status={e.delivery_status} />
                </div>
                <div className="event-card-line muted">
                  <span>
                    {formatLatency(e.latency_ms)} · <span className="sr-only">session </span>
                    <span title={e.session_id} className="mono">
                      {shortId(e.session_id, 12)}
                    </span>{" "}
                    · {formatCount(e.attempts)} {e.attempts === 1 ? "attempt" : "attempts"}
                  </span>
                  {detailsButton(e)}
                </div>
                {e.last_error ? (
                  <p className="event-card-error error-text" title={e.last_error}>
                    {shortId(e.last_error, 80)}
                  </p>
                ) : null}
                {open === e.id ? (
                  <div id={detailsId(e)} className="event-card-details">
                    <EventDetails client={props.client} id={e.id} timeZone={timeZone} />
                  </div>
                ) : null}
              </li>
            ))
          )}
        </ol>
      ) : (
        <ScrollRegion label="Sync events table">
          <table className="data-table events-table" aria-busy={busy} data-placeholder={placeholder || undefined}>
            <caption className="sr-only">
              Sync events, newest first, page {pageNumber}; times in {timeZone}
            </caption>
            <thead>
              <tr>
                <th scope="col">
                  Received <span className="muted">({timeZone})</span>
                </th>
                <th scope="col">Module</th>
                <th scope="col">Session</th>
                <th scope="col" className="num">
                  Latency
                </th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col">Delivery</th>
                <th scope="col" className="num">
                  Attempts
                </th>
                <th scope="col">
                  <span className="sr-only">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {events.length === 0 ? (
                <tr>
                  <td colSpan={8} className="empty-cell">
                    {emptyText}
                  </td>
                </tr>
              ) : (
                events.map((e) => (
                  <Fragment key={e.id}>
                    <tr>
                      <td>{received(e)}</td>
                      <td>
                        <ModuleSwatch style={styles[e.module]} /> {e.module}
                      </td>
                      <td>
                        <span title={e.session_id} className="mono">
                          {shortId(e.session_id, 12)}
                        </span>
                      </td>
                      <td className="num">{formatLatency(e.latency_ms)}</td>
                      <td className="num">{formatBytes(e.size_bytes)}</td>
                      <td>
                        <DeliveryBadge status={e.delivery_status} />
                        {e.last_error ? (
                          <span className="muted error-text" title={e.last_error}>
                            {" "}
                            {shortId(e.last_error, 40)}
                          </span>
                        ) : null}
                      </td>
                      <td className="num">{formatCount(e.attempts)}</td>
                      <td>{detailsButton(e)}</td>
                    </tr>
                    {open === e.id ? (
                      <tr id={detailsId(e)} className="details-row">
                        <td colSpan={8}>
                          <EventDetails client={props.client} id={e.id} timeZone={timeZone} />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                ))
              )}
            </tbody>
          </table>
        </ScrollRegion>
      )}
      <nav className="pager" aria-label="Events pages">
        <button type="button" onClick={props.onNewer} disabled={pageNumber <= 1}>
          ← Newer
        </button>
        <span>Page {pageNumber}</span>
        <button type="button" onClick={() => nextCursor && props.onOlder(nextCursor)} disabled={nextCursor === null || placeholder}>
          Older →
        </button>
      </nav>
    </section>
  );
}
