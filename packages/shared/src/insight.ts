import { z } from "zod";
import { DeliveryStatus, IsoTimestamp, IsoTimestampInput, JsonObject, ModuleName } from "./common.js";
import { DeliverySummary } from "./status.js";

/** One event as the events feed shows it (no payload). */
export const InsightEvent = z
  .object({
    id: z.string(),
    module: z.string(),
    session_id: z.string(),
    sequence: z.number().int().positive().meta({ description: "Per-module sequence number assigned at ingest" }),
    received_at: IsoTimestamp,
    latency_ms: z.number().nonnegative().meta({ description: "Processing latency: request start to durable commit" }),
    size_bytes: z.number().int().nonnegative(),
    delivery_status: DeliveryStatus,
    attempts: z.number().int().nonnegative(),
    last_error: z.string().nullable(),
    next_attempt_at: IsoTimestamp.nullable(),
    delivered_at: IsoTimestamp.nullable(),
    delivery_latency_ms: z.number().nonnegative().nullable(),
  })
  .meta({ id: "InsightEvent" });
export type InsightEvent = z.infer<typeof InsightEvent>;

export const DeliveryAttempt = z
  .object({
    attempt: z.number().int().positive(),
    started_at: IsoTimestamp,
    duration_ms: z.number().nonnegative(),
    outcome: z.enum(["delivered", "retry", "dead"]),
    http_status: z.number().int().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: "DeliveryAttempt" });
export type DeliveryAttempt = z.infer<typeof DeliveryAttempt>;

/** GET /insight/events/:id: one event with its data and its delivery attempts. */
export const InsightEventDetail = InsightEvent.extend({
  data: JsonObject,
  delivery_attempts: z.array(DeliveryAttempt),
}).meta({ id: "InsightEventDetail" });
export type InsightEventDetail = z.infer<typeof InsightEventDetail>;

export const EventsPage = z
  .object({
    events: z.array(InsightEvent),
    next_cursor: z.string().nullable().meta({ description: "Pass as `cursor` for the next (older) page; null at the end" }),
  })
  .meta({ id: "EventsPage" });
export type EventsPage = z.infer<typeof EventsPage>;

export const EVENTS_PAGE_DEFAULT = 50;
export const EVENTS_PAGE_MAX = 500;

/** Query of GET /insight/events. Values arrive as strings. */
export const EventsQuery = z
  .strictObject({
    module: ModuleName.optional(),
    status: DeliveryStatus.optional(),
    since: IsoTimestampInput.optional(),
    until: IsoTimestampInput.optional(),
    // digits only: Number() would also take "0x10", "1e2" and " 5"
    limit: z
      .string()
      .regex(/^\d{1,6}$/, { message: "must be a whole number" })
      .transform(Number)
      .pipe(z.number().int().min(1).max(EVENTS_PAGE_MAX))
      .default(EVENTS_PAGE_DEFAULT),
    cursor: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, { message: "must be a cursor returned by a previous page" })
      .optional(),
  })
  .refine((q) => !(q.since && q.until) || Date.parse(q.since) <= Date.parse(q.until), {
    message: "since must not be after until",
    path: ["since"],
  });
export type EventsQuery = z.infer<typeof EventsQuery>;

/** Windows the summary and the dashboard offer, with the bucket width used for each. */
export const SUMMARY_WINDOWS = {
  "15m": { seconds: 15 * 60, bucketSeconds: 60 },
  "1h": { seconds: 60 * 60, bucketSeconds: 60 },
  "24h": { seconds: 24 * 60 * 60, bucketSeconds: 15 * 60 },
} as const;
export const SummaryWindow = z.enum(["15m", "1h", "24h"]);
export type SummaryWindow = z.infer<typeof SummaryWindow>;

export const SummaryQuery = z.strictObject({
  window: SummaryWindow.default("1h"),
  module: ModuleName.optional(),
});
export type SummaryQuery = z.infer<typeof SummaryQuery>;

const LatencyStats = z.object({
  count: z.number().int().nonnegative(),
  latency_avg_ms: z.number().nonnegative().nullable(),
  latency_p95_ms: z.number().nonnegative().nullable().meta({
    description: "95th percentile estimated from a fixed latency histogram (upper edge of the bin, interpolated)",
  }),
});

export const SummaryBucket = LatencyStats.extend({
  start: IsoTimestamp,
  counts: z.record(z.string(), z.number().int().nonnegative()),
}).meta({ id: "SummaryBucket" });
export type SummaryBucket = z.infer<typeof SummaryBucket>;

/** GET /insight/summary: time-bucketed counts per module and latency, computed on the server. */
export const SummaryResponse = z
  .object({
    window: SummaryWindow,
    bucket_seconds: z.number().int().positive(),
    from: IsoTimestamp,
    to: IsoTimestamp,
    modules: z.array(z.string()),
    buckets: z.array(SummaryBucket),
    totals: LatencyStats.extend({
      per_module: z.record(z.string(), LatencyStats),
    }),
    /** Delivery health now (the same counters as /bucket/status), so one call feeds the charts and the health panel. */
    delivery: DeliverySummary,
  })
  .meta({ id: "SummaryResponse" });
export type SummaryResponse = z.infer<typeof SummaryResponse>;
