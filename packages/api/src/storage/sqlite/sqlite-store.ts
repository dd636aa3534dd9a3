import { accessSync, constants, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { DeliveryStatus, IngestResponse } from "@bridge/shared";
import {
  type AttemptRecord,
  type ClaimedDelivery,
  type ClaimRequest,
  type DeliveryMode,
  type EventFilter,
  type EventStore,
  type IngestOutcome,
  LATENCY_BINS_MS,
  type NewEvent,
  type RecordResult,
  type ReplaySelector,
  type StatusSnapshot,
  StorageUnavailableError,
  type StoredEvent,
  type StoredEventDetail,
  type SummaryRow,
} from "../event-store.js";
import { SqliteDeliveryQueries } from "./delivery-queries.js";
import { MIGRATIONS } from "./migrations.js";

export interface SqliteStoreOptions {
  path: string;
  deliveryMode: DeliveryMode;
  /**
   * NORMAL (default) in WAL mode: a commit survives a process crash (the WAL is in the OS page
   * cache); FULL also survives a power cut at about half the ingest rate.
   */
  synchronous?: "NORMAL" | "FULL";
}

interface EventRow {
  seq: number;
  id: string;
  module: string;
  module_seq: number;
  session_id: string;
  received_at: number;
  latency_ms: number;
  size_bytes: number;
  delivery_status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  next_attempt_at: number | null;
  delivered_at: number | null;
  delivery_latency_ms: number | null;
}

const EVENT_COLUMNS =
  "seq, id, module, module_seq, session_id, received_at, latency_ms, size_bytes, delivery_status, attempts, last_error, next_attempt_at, delivered_at, delivery_latency_ms";

/** Most updates one group commit carries (bounds the time one commit holds the event loop). */
const MAX_GROUP_COMMIT = 512;

/** SQLite error codes that mean "the store cannot serve now" rather than a bug. */
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|PROTOCOL)/;

function toEvent(r: EventRow): StoredEvent {
  return {
    seq: r.seq,
    id: r.id,
    module: r.module,
    moduleSeq: r.module_seq,
    sessionId: r.session_id,
    receivedAt: r.received_at,
    latencyMs: r.latency_ms,
    sizeBytes: r.size_bytes,
    deliveryStatus: r.delivery_status,
    attempts: r.attempts,
    lastError: r.last_error,
    nextAttemptAt: r.next_attempt_at,
    deliveredAt: r.delivered_at,
    deliveryLatencyMs: r.delivery_latency_ms,
  };
}

export function binIndex(latencyMs: number): number {
  const i = LATENCY_BINS_MS.findIndex((edge) => latencyMs <= edge);
  return i === -1 ? LATENCY_BINS_MS.length - 1 : i;
}

export class SqliteEventStore implements EventStore {
  readonly db: Database.Database;
  private readonly mode: DeliveryMode;
  private readonly stmts;
  private readonly ingestTx;
  private readonly pendingIngest: Array<{ event: NewEvent; resolve: (o: IngestOutcome) => void; reject: (e: unknown) => void }> = [];
  private flushScheduled = false;
  private readonly delivery: SqliteDeliveryQueries;

  constructor(private readonly opts: SqliteStoreOptions) {
    this.mode = opts.deliveryMode;
    if (opts.path !== ":memory:") mkdirSync(dirname(opts.path), { recursive: true });
    try {
      this.db = new Database(opts.path);
      this.db.pragma("journal_mode = WAL");
      this.db.pragma(`synchronous = ${opts.synchronous ?? "NORMAL"}`);
      this.db.pragma("busy_timeout = 5000");
      // 64 MiB page cache (default 2 MiB): keeps the hot index pages of a large store in memory
      this.db.pragma("cache_size = -65536");
      this.db.pragma("foreign_keys = ON");
      this.migrate();
    } catch (err) {
      throw wrap(err);
    }
    const db = this.db;
    const binCols = LATENCY_BINS_MS.map((_, i) => `h${i}`);
    this.stmts = {
      findKey: db.prepare<[string], { fingerprint: string; response: string }>(
        "SELECT fingerprint, response FROM idempotency_keys WHERE key = ?",
      ),
      insertKey: db.prepare("INSERT INTO idempotency_keys (key, fingerprint, response, created_at) VALUES (?, ?, ?, ?)"),
      purgeKeys: db.prepare("DELETE FROM idempotency_keys WHERE created_at < ?"),
      bumpModule: db.prepare<[string, number], { count: number }>(
        `INSERT INTO module_counters (module, count, last_sync_at) VALUES (?, 1, ?)
         ON CONFLICT(module) DO UPDATE SET count = count + 1, last_sync_at = max(last_sync_at, excluded.last_sync_at)
         RETURNING count`,
      ),
      bumpTotals: db.prepare(
        "UPDATE totals SET total_count = total_count + 1, last_sync_at = max(coalesce(last_sync_at, 0), ?) WHERE id = 1",
      ),
      bumpDelivered: db.prepare("UPDATE totals SET last_delivered_at = max(coalesce(last_delivered_at, 0), ?) WHERE id = 1"),
      bumpDeliveryCounter: db.prepare("UPDATE delivery_counters SET count = count + ? WHERE status = ?"),
      insertEvent: db.prepare(
        `INSERT INTO events (id, module, module_seq, session_id, received_at, latency_ms, size_bytes, data,
           delivery_status, delivered_at, delivery_latency_ms)
         VALUES (@id, @module, @moduleSeq, @sessionId, @receivedAt, @latencyMs, @sizeBytes, @dataJson,
           @status, @deliveredAt, @deliveryLatencyMs)`,
      ),
      insertOutbox: db.prepare("INSERT INTO outbox (event_seq, available_at) VALUES (?, ?)"),
      // one upsert per rollup table, per latency bin (the bin picks the column)
      rollup: (["minute", "quarter"] as const).map((unit) =>
        binCols.map((col) =>
          db.prepare(
            `INSERT INTO rollup_${unit} (${unit}, module, count, latency_sum, ${col}) VALUES (?, ?, 1, ?, 1)
           ON CONFLICT(${unit}, module) DO UPDATE SET count = count + 1, latency_sum = latency_sum + excluded.latency_sum,
             ${col} = ${col} + 1`,
          ),
        ),
      ),
      totals: db.prepare<[], { total_count: number; last_sync_at: number | null; last_delivered_at: number | null }>(
        "SELECT total_count, last_sync_at, last_delivered_at FROM totals WHERE id = 1",
      ),
      modules: db.prepare<[], { module: string; count: number; last_sync_at: number }>(
        "SELECT module, count, last_sync_at FROM module_counters ORDER BY module",
      ),
      deliveryCounters: db.prepare<[], { status: DeliveryStatus; count: number }>("SELECT status, count FROM delivery_counters"),
      oldestPending: db.prepare<[], { received_at: number }>(
        "SELECT e.received_at FROM outbox o JOIN events e ON e.seq = o.event_seq ORDER BY o.event_seq LIMIT 1",
      ),
      eventById: db.prepare<[string], EventRow & { data: string }>(`SELECT ${EVENT_COLUMNS}, data FROM events WHERE id = ?`),
      attemptsBySeq: db.prepare<
        [number],
        {
          attempt: number;
          started_at: number;
          duration_ms: number;
          outcome: "delivered" | "retry" | "dead";
          http_status: number | null;
          error: string | null;
        }
      >("SELECT attempt, started_at, duration_ms, outcome, http_status, error FROM delivery_attempts WHERE event_seq = ? ORDER BY attempt"),
      firstSeqAtOrAfter: db.prepare<[number], { seq: number }>(
        "SELECT seq FROM events WHERE received_at >= ? ORDER BY received_at, seq LIMIT 1",
      ),
      lastSeqAtOrBefore: db.prepare<[number], { seq: number }>(
        "SELECT seq FROM events WHERE received_at <= ? ORDER BY received_at DESC, seq DESC LIMIT 1",
      ),
      writable: db.prepare("UPDATE totals SET total_count = total_count WHERE id = 1"),
    };
    this.delivery = new SqliteDeliveryQueries(db);
    this.ingestTx = db.transaction((e: NewEvent): IngestOutcome => {
      if (e.idempotency) {
        const prior = this.stmts.findKey.get(e.idempotency.key);
        if (prior) {
          return prior.fingerprint === e.idempotency.fingerprint
            ? { kind: "replayed", response: JSON.parse(prior.response) as IngestResponse }
            : { kind: "key_reused" };
        }
      }
      const moduleSeq = this.stmts.bumpModule.get(e.module, e.receivedAt)?.count ?? 1;
      this.stmts.bumpTotals.run(e.receivedAt);
      const embedded = this.mode === "embedded";
      const status: DeliveryStatus = embedded ? "delivered" : "pending";
      const info = this.stmts.insertEvent.run({
        id: e.id,
        module: e.module,
        moduleSeq,
        sessionId: e.sessionId,
        receivedAt: e.receivedAt,
        latencyMs: e.latencyMs,
        sizeBytes: e.sizeBytes,
        dataJson: e.dataJson,
        status,
        deliveredAt: embedded ? e.receivedAt : null,
        deliveryLatencyMs: embedded ? 0 : null,
      });
      const seq = Number(info.lastInsertRowid);
      this.stmts.bumpDeliveryCounter.run(1, status);
      if (embedded) this.stmts.bumpDelivered.run(e.receivedAt);
      else this.stmts.insertOutbox.run(seq, e.receivedAt);
      const bin = binIndex(e.latencyMs);
      const minute = Math.floor(e.receivedAt / 60_000);
      this.stmts.rollup[0]?.[bin]?.run(minute, e.module, e.latencyMs);
      this.stmts.rollup[1]?.[bin]?.run(Math.floor(minute / 15), e.module, e.latencyMs);
      if (e.idempotency) {
        this.stmts.insertKey.run(e.idempotency.key, e.idempotency.fingerprint, JSON.stringify(e.response), e.receivedAt);
      }
      return {
        kind: "created",
        event: {
          seq,
          id: e.id,
          module: e.module,
          moduleSeq,
          sessionId: e.sessionId,
          receivedAt: e.receivedAt,
          latencyMs: e.latencyMs,
          sizeBytes: e.sizeBytes,
          deliveryStatus: status,
          attempts: 0,
          lastError: null,
          nextAttemptAt: null,
          deliveredAt: embedded ? e.receivedAt : null,
          deliveryLatencyMs: embedded ? 0 : null,
        },
      };
    });
  }

  private migrate(): void {
    const current = this.db.pragma("user_version", { simple: true }) as number;
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db.pragma(`user_version = ${m.version}`);
      })();
    }
  }

  /** Statements status() runs; exposed so tests can check their query plans. */
  get statusStatements(): string[] {
    return [this.stmts.totals.source, this.stmts.modules.source, this.stmts.deliveryCounters.source, this.stmts.oldestPending.source];
  }

  /**
   * Group commit: updates that arrive in the same turn of the event loop share one transaction,
   * each inside its own savepoint (a failing one rolls back alone), and every caller is answered
   * only after the COMMIT. A commit writes each page it touched to the WAL once, so under load one
   * commit carries many updates' pages instead of ~10 pages per update; alone, an update waits
   * one setImmediate (microseconds). Atomicity per update is unchanged: its event row, counters,
   * rollups and outbox row are in the same transaction, and a 2xx still means committed.
   */
  async ingest(event: NewEvent): Promise<IngestOutcome> {
    return new Promise<IngestOutcome>((resolve, reject) => {
      this.pendingIngest.push({ event, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flushIngest());
      }
    });
  }

  private flushIngest(): void {
    this.flushScheduled = false;
    const batch = this.pendingIngest.splice(0, MAX_GROUP_COMMIT);
    if (this.pendingIngest.length > 0) {
      this.flushScheduled = true;
      setImmediate(() => this.flushIngest());
    }
    if (batch.length === 0) return;
    const results: Array<{ ok: true; value: IngestOutcome } | { ok: false; error: unknown }> = [];
    try {
      this.db
        .transaction(() => {
          for (const item of batch) {
            try {
              results.push({ ok: true, value: this.ingestTx(item.event) });
            } catch (error) {
              results.push({ ok: false, error: wrap(error) });
            }
          }
        })
        .immediate();
    } catch (err) {
      const error = wrap(err);
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const r = results[i];
      if (r?.ok) item.resolve(r.value);
      else item.reject(r?.error ?? new Error("ingest produced no result"));
    });
  }

  async status(): Promise<StatusSnapshot> {
    return guard(() =>
      this.db.transaction(() => {
        const t = this.stmts.totals.get();
        const counters = Object.fromEntries(this.stmts.deliveryCounters.all().map((r) => [r.status, r.count]));
        return {
          totalCount: t?.total_count ?? 0,
          lastSyncAt: t?.last_sync_at ?? null,
          modules: this.stmts.modules.all().map((m) => ({ module: m.module, count: m.count, lastSyncAt: m.last_sync_at })),
          delivery: {
            pending: counters.pending ?? 0,
            retrying: counters.retrying ?? 0,
            delivered: counters.delivered ?? 0,
            dead: counters.dead ?? 0,
            oldestPendingAt: this.stmts.oldestPending.get()?.received_at ?? null,
            lastDeliveredAt: t?.last_delivered_at ?? null,
          },
        };
      })(),
    );
  }

  async listEvents(f: EventFilter): Promise<StoredEvent[]> {
    return guard(() => {
      const where: string[] = [];
      const params: Array<string | number> = [];
      // Time filters become bounds on seq (arrival order), so the page is read in index order.
      if (f.since !== undefined) {
        const first = this.stmts.firstSeqAtOrAfter.get(f.since);
        if (!first) return [];
        where.push("seq >= ?");
        params.push(first.seq);
        where.push("received_at >= ?");
        params.push(f.since);
      }
      if (f.until !== undefined) {
        const last = this.stmts.lastSeqAtOrBefore.get(f.until);
        if (!last) return [];
        where.push("seq <= ?");
        params.push(last.seq);
        where.push("received_at <= ?");
        params.push(f.until);
      }
      if (f.beforeSeq !== undefined) {
        where.push("seq < ?");
        params.push(f.beforeSeq);
      }
      if (f.module !== undefined) {
        where.push("module = ?");
        params.push(f.module);
      }
      if (f.status !== undefined) {
        where.push("delivery_status = ?");
        params.push(f.status);
      }
      const sql = `SELECT ${EVENT_COLUMNS} FROM events ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT ?`;
      params.push(f.limit);
      return (this.db.prepare(sql).all(...params) as EventRow[]).map(toEvent);
    });
  }

  async getEvent(id: string): Promise<StoredEventDetail | null> {
    return guard(() => {
      const row = this.stmts.eventById.get(id);
      if (!row) return null;
      return {
        ...toEvent(row),
        dataJson: row.data,
        attemptsLog: this.stmts.attemptsBySeq.all(row.seq).map((a) => ({
          attempt: a.attempt,
          startedAt: a.started_at,
          duration_ms: a.duration_ms,
          outcome: a.outcome,
          http_status: a.http_status,
          error: a.error,
        })),
      };
    });
  }

  async summary(from: number, to: number, bucketMs: number, module?: string): Promise<SummaryRow[]> {
    return guard(() => {
      // read the coarsest rollup whose unit divides the bucket; one unit per bucket needs no GROUP BY
      const [unit, unitMs] = bucketMs % 900_000 === 0 ? (["quarter", 900_000] as const) : (["minute", 60_000] as const);
      const per = Math.max(1, Math.round(bucketMs / unitMs));
      const bins = LATENCY_BINS_MS.map((_, i) => (per === 1 ? `h${i}` : `sum(h${i})`)).join(", ");
      const filter = `${unit} >= ? AND ${unit} < ? ${module ? "AND module = ?" : ""}`;
      const sql =
        per === 1
          ? `SELECT ${unit}, module, count, latency_sum, ${bins} FROM rollup_${unit} WHERE ${filter} ORDER BY ${unit}, module`
          : `SELECT (${unit} / ${per}) * ${per} AS b, module, sum(count), sum(latency_sum), ${bins}
             FROM rollup_${unit} WHERE ${filter} GROUP BY b, module ORDER BY b, module`;
      const params: Array<string | number> = [Math.floor(from / unitMs), Math.ceil(to / unitMs)];
      if (module) params.push(module);
      const rows = this.db
        .prepare(sql)
        .raw()
        .all(...params) as Array<Array<number | string>>;
      return rows.map((r) => ({
        bucketStart: Number(r[0]) * unitMs,
        module: String(r[1]),
        count: Number(r[2]),
        latencySum: Number(r[3]),
        histogram: r.slice(4).map(Number),
      }));
    });
  }

  async purgeIdempotencyKeys(olderThan: number): Promise<number> {
    return guard(() => this.stmts.purgeKeys.run(olderThan).changes);
  }

  async claimDeliveries(req: ClaimRequest): Promise<ClaimedDelivery[]> {
    return guard(() => this.delivery.claim(req));
  }

  async recordAttempts(recs: AttemptRecord[]): Promise<RecordResult[]> {
    return guard(() => this.delivery.record(recs));
  }

  async releaseClaims(claims: Array<{ seq: number; claimToken: string }>, now: number): Promise<number> {
    return guard(() => this.delivery.release(claims, now));
  }

  async replayDead(selector: ReplaySelector, now: number): Promise<Array<{ id: string; module: string }>> {
    return guard(() => this.delivery.replay(selector, now));
  }

  async checkWritable(): Promise<void> {
    guard(() => {
      if (this.opts.path !== ":memory:") accessSync(this.opts.path, constants.W_OK);
      this.stmts.writable.run();
    });
  }

  async close(): Promise<void> {
    // updates already handed over are committed (or refused) before the file closes
    while (this.pendingIngest.length > 0) this.flushIngest();
    if (this.db.open) this.db.close();
  }
}

function wrap(err: unknown): unknown {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === "string" && (UNAVAILABLE.test(code) || code === "EACCES" || code === "EROFS" || code === "ENOENT")) {
    return new StorageUnavailableError(`storage unavailable (${code})`, { cause: err });
  }
  if (err instanceof TypeError && /database connection is not open/.test(err.message)) {
    return new StorageUnavailableError("storage is closed", { cause: err });
  }
  return err;
}

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw wrap(err);
  }
}
