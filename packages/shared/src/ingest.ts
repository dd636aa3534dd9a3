import { z } from "zod";
import { IsoTimestamp, JsonObject, ModuleName, SessionId } from "./common.js";

/** POST /core/update request body (the seed's shape). Unknown top-level fields are refused,
 * so nothing a client sends is silently dropped. */
export const IngestRequest = z
  .strictObject({
    module: ModuleName,
    data: JsonObject,
    session_id: SessionId.optional(),
  })
  .meta({ id: "IngestRequest" });
export type IngestRequest = z.infer<typeof IngestRequest>;

/** POST /core/update 200 response: the seed's four fields plus event_id. */
export const IngestResponse = z
  .object({
    status: z.literal("success"),
    timestamp: IsoTimestamp,
    session_id: z.string(),
    message: z.string(),
    event_id: z.string(),
  })
  .meta({ id: "IngestResponse" });
export type IngestResponse = z.infer<typeof IngestResponse>;

export const ingestMessage = (module: string): string => `Data received and logged for module ${module}`;
