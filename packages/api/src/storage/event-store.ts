import type { DeliveryAttempt, DeliveryStatus, IngestResponse } from "@bridge/shared";

/** An event as storage keeps it. Times are epoch milliseconds; the HTTP layer formats them. */
export interface StoredEvent {
  seq: number;
  id: string;
  module: string;
  moduleSeq: number;
  sessionId: string;
  receivedAt: number;
  latencyMs: number;
  sizeBytes: number;
  deliveryStatus: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: number | null;
  deliveredAt: number | null;
  deliveryLatencyMs: number | null;
}

export interface StoredEventDetail extends StoredEvent {
  /** The data exactly as serialised at ingest (JSON text). */
  dataJson: string;
  attemptsLog: Array<Omit<DeliveryAttempt, "started_at"> & { startedAt: number }>;
}

export interface NewEvent {
  id: string;
  module: string;
  sessionId: string;
  receivedAt: number;
  /** Time from the request's first byte to the moment it is handed to storage. */
  latencyMs: number;
  sizeBytes: number;
  dataJson: string;
  /** Idempotency: the key and a fingerprint of the request body. */
  idempotency?: { key: string; fingerprint: string };
  /** Builds the 200 body once the per-module sequence is known; stored with the key for replays. */
  response: IngestResponse;
}

export type IngestOutcome =
  | { kind: "created"; event: StoredEvent }
  | { kind: "replayed"; response: IngestResponse }
  | { kind: "key_reused" };

export interface StatusSnapshot {
  totalCount: number;
  lastSyncAt: number | null;
  modules: Array<{ module: string; count: number; lastSyncAt: number }>;
  delivery: {
    pending: number;
    retrying: number;
    delivered: number;
    dead: number;
    oldestPendingAt: number | null;
    lastDeliveredAt: number | null;
  };
}

export interface EventFilter {
  module?: string;
  status?: DeliveryStatus;
  since?: number;
  until?: number;
  /** Keyset: only events older than this storage sequence. */
  beforeSeq?: number;
  limit: number;
}

export interface SummaryRow {
  bucketStart: number;
  module: string;
  count: number;
  latencySum: number;
  /** Counts per latency bin, see LATENCY_BINS_MS. */
  histogram: number[];
}

/**
 * Upper edges (ms) of the latency histogram kept per minute and module. Log-2 spaced: p95 read
 * from it is exact to within its bin, which is enough for a chart and costs one upsert at ingest.
 */
export const LATENCY_BINS_MS = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, Number.POSITIVE_INFINITY] as const;

/** How an embedded (no BUCKET_URL) or remote Bucket changes what ingest writes. */
export type DeliveryMode = "embedded" | "http";

/** An outbox row claimed by a delivery worker, with what it needs to send the event. */
export interface ClaimedDelivery extends Pick<StoredEvent, "seq" | "id" | "module" | "moduleSeq" | "sessionId" | "receivedAt"> {
  dataJson: string;
  /** The number of this attempt: recorded attempts so far + 1 (replays keep counting). */
  attempt: number;
  /** Attempts recorded before the last replay; the retry budget counts from here. */
  attemptOffset: number;
  /** Proves the claim when the outcome is recorded; a stale token cannot move the event. */
  claimToken: string;
}

export interface ClaimRequest {
  now: number;
  limit: number;
  /** How long the claim holds; after that the row is due again (a crashed worker's rows come back). */
  leaseMs: number;
  token: string;
}

export type AttemptOutcome = { kind: "delivered"; deliveredAt: number } | { kind: "retry"; nextAttemptAt: number } | { kind: "dead" };

export interface AttemptRecord {
  seq: number;
  claimToken: string;
  attempt: number;
  startedAt: number;
  durationMs: number;
  httpStatus: number | null;
  error: string | null;
  outcome: AttemptOutcome;
}

/** Whether recording moved the event (false: a stale claim, or it was already delivered). */
export interface RecordResult {
  applied: boolean;
  status: DeliveryStatus;
}

/** Which dead letters to re-queue. Filters combine with AND; `all` alone selects every dead letter. */
export interface ReplaySelector {
  all?: boolean;
  module?: string;
  /** received_at bounds, inclusive, epoch ms. */
  since?: number;
  until?: number;
  ids?: string[];
}

/**
 * The one storage interface. SQLite implements it today; PostgreSQL can follow behind the same
 * contract suite (test/storage-contract.ts). Methods are async so a networked backend fits.
 */
export interface EventStore {
  /** One transaction: idempotency check, event row, counters, rollup and (http mode) an outbox row. */
  ingest(event: NewEvent): Promise<IngestOutcome>;
  status(): Promise<StatusSnapshot>;
  listEvents(filter: EventFilter): Promise<StoredEvent[]>;
  getEvent(id: string): Promise<StoredEventDetail | null>;
  /** Rollup rows between [from, to), grouped into buckets of bucketMs. */
  summary(from: number, to: number, bucketMs: number, module?: string): Promise<SummaryRow[]>;
  /** Delete idempotency keys older than the cut-off; returns how many. */
  purgeIdempotencyKeys(olderThan: number): Promise<number>;
  /** Delivery: claim up to `limit` due outbox rows (oldest due first) for one lease. */
  claimDeliveries(req: ClaimRequest): Promise<ClaimedDelivery[]>;
  /**
   * Delivery: log attempts and apply their outcomes, delivery counters included, all in one
   * transaction (the worker group-commits the answers that arrived together). Results in order.
   */
  recordAttempts(recs: AttemptRecord[]): Promise<RecordResult[]>;
  /** Delivery: give claimed rows back unattempted (graceful stop); they are due at `now`. Returns how many. */
  releaseClaims(claims: Array<{ seq: number; claimToken: string }>, now: number): Promise<number>;
  /** Re-queue dead letters as pending, due at `now`, with a fresh retry budget. Returns the events queued. */
  replayDead(selector: ReplaySelector, now: number): Promise<Array<{ id: string; module: string }>>;
  /** Throws when the store cannot be written. */
  checkWritable(): Promise<void>;
  close(): Promise<void>;
}

/** Thrown by a store when the backend cannot serve (locked, disk full, read-only, gone). */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StorageUnavailableError";
  }
}
