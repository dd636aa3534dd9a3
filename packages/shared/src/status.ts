import { z } from "zod";
import { IsoTimestamp } from "./common.js";

export const DeliveryMode = z.enum(["http", "embedded"]);
export type DeliveryMode = z.infer<typeof DeliveryMode>;

export const DeliverySummary = z
  .object({
    mode: DeliveryMode,
    pending: z.number().int().nonnegative(),
    retrying: z.number().int().nonnegative(),
    delivered: z.number().int().nonnegative(),
    dead: z.number().int().nonnegative(),
    oldest_pending_age_seconds: z.number().nonnegative().nullable(),
    last_delivered_time: IsoTimestamp.nullable(),
  })
  .meta({ id: "DeliverySummary" });
export type DeliverySummary = z.infer<typeof DeliverySummary>;

/** GET /bucket/status: the seed's three fields, plus per-module last sync times and delivery. */
export const StatusResponse = z
  .object({
    last_sync_time: IsoTimestamp.nullable(),
    total_sync_count: z.number().int().nonnegative(),
    module_sync_counts: z.record(z.string(), z.number().int().nonnegative()),
    module_last_sync_time: z.record(z.string(), IsoTimestamp),
    delivery: DeliverySummary,
  })
  .meta({ id: "StatusResponse" });
export type StatusResponse = z.infer<typeof StatusResponse>;

/** GET /healthz: the process is up. */
export const HealthResponse = z
  .object({ status: z.literal("ok"), uptime_seconds: z.number().nonnegative() })
  .meta({ id: "HealthResponse" });
export type HealthResponse = z.infer<typeof HealthResponse>;

/** GET /readyz: storage and log files are writable (503 with the same shape when not). */
export const ReadyResponse = z
  .object({
    status: z.enum(["ready", "not_ready"]),
    checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
  })
  .meta({ id: "ReadyResponse" });
export type ReadyResponse = z.infer<typeof ReadyResponse>;
