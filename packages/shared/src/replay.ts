import { z } from "zod";
import { IsoTimestampInput, ModuleName } from "./common.js";

/** Most ids one replay request may name. */
export const REPLAY_IDS_MAX = 1000;

/**
 * POST /bucket/replay: which dead letters to re-queue. Filters combine with AND. An empty body
 * selects nothing (it is refused): replaying every dead letter takes an explicit `"all": true`.
 */
export const ReplayRequest = z
  .strictObject({
    all: z.literal(true).optional().meta({ description: "Replay every dead letter (other filters still narrow it)" }),
    module: ModuleName.optional(),
    since: IsoTimestampInput.optional().meta({ description: "Only events received at or after this time" }),
    until: IsoTimestampInput.optional().meta({ description: "Only events received at or before this time" }),
    ids: z.array(z.string().min(1).max(64)).min(1).max(REPLAY_IDS_MAX).optional().meta({ description: "Event ids" }),
  })
  .refine((r) => r.all === true || r.module !== undefined || r.since !== undefined || r.until !== undefined || r.ids !== undefined, {
    message: 'select what to replay: "all": true, or at least one of ids, module, since, until',
  })
  .refine((r) => !(r.since && r.until) || Date.parse(r.since) <= Date.parse(r.until), {
    message: "since must not be after until",
    path: ["since"],
  })
  .meta({ id: "ReplayRequest" });
export type ReplayRequest = z.infer<typeof ReplayRequest>;

export const ReplayResponse = z
  .object({
    queued: z.number().int().nonnegative().meta({ description: "Dead letters re-queued as pending (ids not dead are skipped)" }),
  })
  .meta({ id: "ReplayResponse" });
export type ReplayResponse = z.infer<typeof ReplayResponse>;
