import { EventsQuery, SummaryQuery } from "@bridge/shared";
import { Router } from "express";
import type { Clock } from "../clock.js";
import { buildSummary, summaryRange } from "../insight/summary.js";
import { decodeCursor, encodeCursor, eventDetailView, eventView, statusView } from "../insight/views.js";
import type { DeliveryMode, EventStore } from "../storage/event-store.js";
import { AppError, validationError } from "./problem.js";
import { route } from "./route-table.js";

export interface ReadRouteDeps {
  store: EventStore;
  clock: Clock;
  deliveryMode: DeliveryMode;
}

/** GET /bucket/status, /insight/events, /insight/events/:id, /insight/summary. */
export function readRoutes({ store, clock, deliveryMode }: ReadRouteDeps): Router {
  const router = Router();

  route(router, "/bucket/status", {
    get: async (_req, res) => {
      res.json(statusView(await store.status(), deliveryMode, clock.now()));
    },
  });

  route(router, "/insight/events", {
    get: async (req, res) => {
      const parsed = EventsQuery.safeParse(req.query);
      if (!parsed.success) throw validationError(parsed.error, "invalid_query", "query");
      const q = parsed.data;
      let beforeSeq: number | undefined;
      if (q.cursor !== undefined) {
        const seq = decodeCursor(q.cursor);
        if (seq === null) {
          throw new AppError("invalid_query", "Invalid query parameter 'query.cursor': must be a cursor returned by a previous page", [
            { field: "query.cursor", message: "must be a cursor returned by a previous page" },
          ]);
        }
        beforeSeq = seq;
      }
      // one more than asked, to know whether an older page exists
      const rows = await store.listEvents({
        limit: q.limit + 1,
        ...(q.module !== undefined ? { module: q.module } : {}),
        ...(q.status !== undefined ? { status: q.status } : {}),
        ...(q.since !== undefined ? { since: Date.parse(q.since) } : {}),
        ...(q.until !== undefined ? { until: Date.parse(q.until) } : {}),
        ...(beforeSeq !== undefined ? { beforeSeq } : {}),
      });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      res.json({ events: page.map(eventView), next_cursor: rows.length > q.limit && last ? encodeCursor(last.seq) : null });
    },
  });

  route(router, "/insight/events/:id", {
    get: async (req, res) => {
      const id = String(req.params.id);
      const event = id.length <= 64 ? await store.getEvent(id) : null;
      if (!event) throw new AppError("not_found", `No event with id ${JSON.stringify(id.slice(0, 64))}`);
      res.json(eventDetailView(event));
    },
  });

  route(router, "/insight/summary", {
    get: async (req, res) => {
      const parsed = SummaryQuery.safeParse(req.query);
      if (!parsed.success) throw validationError(parsed.error, "invalid_query", "query");
      const now = clock.now();
      const { from, to, bucketMs } = summaryRange(parsed.data.window, now);
      const [rows, status] = await Promise.all([store.summary(from, to, bucketMs, parsed.data.module), store.status()]);
      res.json({ ...buildSummary(parsed.data.window, now, rows), delivery: statusView(status, deliveryMode, now).delivery });
    },
  });

  return router;
}
