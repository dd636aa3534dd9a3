import { z } from "zod";
import { IsoTimestamp } from "./common.js";

/** One line of logs/core_sync.log: an update received or refused. */
export const CoreSyncLogLine = z.object({
  timestamp: IsoTimestamp,
  level: z.string(),
  message: z.string(),
  outcome: z.enum(["accepted", "replayed", "refused"]),
  status: z.number().int(),
  request_id: z.string(),
  module: z.string().nullable(),
  session_id: z.string().nullable(),
  event_id: z.string().nullable(),
  bytes: z.number().int().nonnegative(),
  latency_ms: z.number().nonnegative(),
  error_code: z.string().optional(),
  /** Fingerprint of the API key used (`key-` + 12 hex digits of its SHA-256); never the key itself. */
  key_id: z.string().optional(),
});
export type CoreSyncLogLine = z.infer<typeof CoreSyncLogLine>;

export const FlowStep = z.enum(["accepted", "delivery_attempt", "delivered", "retry_scheduled", "dead_lettered", "replayed"]);
export type FlowStep = z.infer<typeof FlowStep>;

/** One line of insight/flow.log: one step of an event's flow. */
export const FlowLogLine = z.object({
  timestamp: IsoTimestamp,
  level: z.string(),
  message: z.string(),
  step: FlowStep,
  event_id: z.string(),
  module: z.string(),
  attempt: z.number().int().optional(),
  http_status: z.number().int().nullable().optional(),
  error: z.string().nullable().optional(),
  latency_ms: z.number().nonnegative().optional(),
  next_attempt_at: IsoTimestamp.optional(),
});
export type FlowLogLine = z.infer<typeof FlowLogLine>;
