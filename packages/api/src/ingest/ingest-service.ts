import { createHash, randomUUID } from "node:crypto";
import stableStringify from "safe-stable-stringify";
import { type IngestRequest, type IngestResponse, ingestMessage } from "@bridge/shared";
import { type Clock, iso } from "../clock.js";
import type { Loggers } from "../logging/loggers.js";
import type { EventStore, StoredEvent } from "../storage/event-store.js";

export interface IngestInput {
  request: IngestRequest;
  /** The exact request body bytes: their size is recorded. */
  rawBody: Buffer;
  /** performance.now() when the request arrived. */
  startedAt: number;
  idempotencyKey?: string;
}

export type IngestResult =
  | { kind: "created"; response: IngestResponse; event: StoredEvent }
  | { kind: "replayed"; response: IngestResponse }
  | { kind: "key_reused" };

export interface IngestService {
  ingest(input: IngestInput): Promise<IngestResult>;
}

export function createIngestService(deps: { store: EventStore; loggers: Loggers; clock: Clock; now?: () => number }): IngestService {
  const perfNow = deps.now ?? (() => performance.now());
  return {
    async ingest({ request, rawBody, startedAt, idempotencyKey }) {
      const receivedAt = deps.clock.now();
      const id = uuidv7(receivedAt);
      const sessionId = request.session_id ?? randomUUID();
      const response: IngestResponse = {
        status: "success",
        timestamp: iso(receivedAt),
        session_id: sessionId,
        message: ingestMessage(request.module),
        event_id: id,
      };
      const outcome = await deps.store.ingest({
        id,
        module: request.module,
        sessionId,
        receivedAt,
        latencyMs: Math.max(0, perfNow() - startedAt),
        sizeBytes: rawBody.length,
        // Re-serialised from the parsed object: canonical JSON, `__proto__` kept as a plain key.
        dataJson: JSON.stringify(request.data),
        response,
        ...(idempotencyKey ? { idempotency: { key: idempotencyKey, fingerprint: fingerprint(request) } } : {}),
      });
      if (outcome.kind === "created") {
        deps.loggers.flow.write({
          message: `accepted event ${id} from module ${request.module}`,
          step: "accepted",
          event_id: id,
          module: request.module,
          latency_ms: round(outcome.event.latencyMs),
        });
        return { kind: "created", response, event: outcome.event };
      }
      return outcome;
    },
  };
}

/**
 * RFC 9562 UUIDv7: 48 bits of Unix milliseconds, then random bits. Event ids sort by time, so
 * the unique index on events.id grows at its right edge instead of touching a random page per
 * insert (a v4 index of 1M events no longer fits SQLite's page cache).
 */
export function uuidv7(ms: number): string {
  // a v4 UUID from node's pooled entropy already has random bits where v7 wants them and the
  // RFC variant; put the timestamp in the first 48 bits and the version nibble 7 in place of 4
  const v4 = randomUUID();
  const ts = ms.toString(16).padStart(12, "0").slice(-12);
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${v4.slice(15)}`;
}

/**
 * What an Idempotency-Key is bound to: the request's content, not its bytes. Keys sorted and
 * whitespace gone, so a client that re-serialises its body when it retries still gets a replay.
 */
export const fingerprint = (request: IngestRequest): string =>
  createHash("sha256")
    .update(stableStringify(request) ?? "")
    .digest("hex");
export const round = (n: number): number => Math.round(n * 1000) / 1000;
