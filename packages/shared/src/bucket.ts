import { z } from "zod";
import { IsoTimestamp, JsonObject } from "./common.js";

/** What the delivery worker POSTs to BUCKET_URL for each event. */
export const BucketDelivery = z
  .object({
    event_id: z.string(),
    module: z.string(),
    session_id: z.string(),
    sequence: z.number().int().positive(),
    received_at: IsoTimestamp,
    data: JsonObject,
  })
  .meta({ id: "BucketDelivery" });
export type BucketDelivery = z.infer<typeof BucketDelivery>;
