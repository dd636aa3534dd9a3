import type Database from "better-sqlite3";
import type { DeliveryStatus } from "@bridge/shared";
import type { AttemptRecord, ClaimedDelivery, ClaimRequest, RecordResult, ReplaySelector } from "../event-store.js";

/**
 * The delivery side of the SQLite store: claims, attempt outcomes, releases and replays. Every
 * state change moves `delivery_counters` in the same transaction, so /bucket/status stays exact
 * (pending → retrying → delivered | dead, dead → pending on replay) without counting rows.
 *
 * A claim moves the row's `available_at` to the end of its lease: an index range scan on
 * `available_at <= now` is then the whole "due and not claimed" test, and a crashed worker's
 * rows come due again by themselves when the lease runs out.
 */
export class SqliteDeliveryQueries {
  private readonly s;
  readonly claim: (req: ClaimRequest) => ClaimedDelivery[];
  readonly record: (recs: AttemptRecord[]) => RecordResult[];
  readonly release: (claims: Array<{ seq: number; claimToken: string }>, now: number) => number;
  readonly replay: (sel: ReplaySelector, now: number) => Array<{ id: string; module: string }>;

  constructor(private readonly db: Database.Database) {
    this.s = {
      claimRows: db.prepare<{ until: number; token: string; now: number; limit: number }, { event_seq: number; attempt_offset: number }>(
        `UPDATE outbox SET available_at = @until, claimed_until = @until, claimed_by = @token
         WHERE event_seq IN (SELECT event_seq FROM outbox WHERE available_at <= @now ORDER BY available_at, event_seq LIMIT @limit)
         RETURNING event_seq, attempt_offset`,
      ),
      eventForSend: db.prepare<
        [number],
        { id: string; module: string; module_seq: number; session_id: string; received_at: number; data: string; attempts: number }
      >("SELECT id, module, module_seq, session_id, received_at, data, attempts FROM events WHERE seq = ?"),
      eventState: db.prepare<[number], { delivery_status: DeliveryStatus; attempts: number; received_at: number }>(
        "SELECT delivery_status, attempts, received_at FROM events WHERE seq = ?",
      ),
      outboxClaim: db.prepare<[number], { claimed_by: string | null }>("SELECT claimed_by FROM outbox WHERE event_seq = ?"),
      logAttempt: db.prepare(
        `INSERT OR IGNORE INTO delivery_attempts (event_seq, attempt, started_at, duration_ms, outcome, http_status, error)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      markDelivered: db.prepare(
        `UPDATE events SET delivery_status = 'delivered', attempts = max(attempts, ?), next_attempt_at = NULL,
           delivered_at = ?, delivery_latency_ms = ? WHERE seq = ?`,
      ),
      markRetrying: db.prepare(
        `UPDATE events SET delivery_status = 'retrying', attempts = max(attempts, ?), last_error = ?, next_attempt_at = ?
         WHERE seq = ?`,
      ),
      markDead: db.prepare(
        `UPDATE events SET delivery_status = 'dead', attempts = max(attempts, ?), last_error = ?, next_attempt_at = NULL
         WHERE seq = ?`,
      ),
      markPending: db.prepare("UPDATE events SET delivery_status = 'pending', next_attempt_at = NULL WHERE seq = ?"),
      reschedule: db.prepare("UPDATE outbox SET available_at = ?, claimed_until = NULL, claimed_by = NULL WHERE event_seq = ?"),
      releaseRow: db.prepare(
        "UPDATE outbox SET available_at = ?, claimed_until = NULL, claimed_by = NULL WHERE event_seq = ? AND claimed_by = ?",
      ),
      deleteOutbox: db.prepare("DELETE FROM outbox WHERE event_seq = ?"),
      insertOutbox: db.prepare("INSERT OR IGNORE INTO outbox (event_seq, available_at, attempt_offset) VALUES (?, ?, ?)"),
      bumpCounter: db.prepare("UPDATE delivery_counters SET count = count + ? WHERE status = ?"),
      bumpDeliveredAt: db.prepare("UPDATE totals SET last_delivered_at = max(coalesce(last_delivered_at, 0), ?) WHERE id = 1"),
      deadById: db.prepare<[string], { seq: number; id: string; module: string; attempts: number; received_at: number }>(
        "SELECT seq, id, module, attempts, received_at FROM events WHERE id = ? AND delivery_status = 'dead'",
      ),
    };

    this.claim = db.transaction((req: ClaimRequest): ClaimedDelivery[] => {
      const until = req.now + req.leaseMs;
      const rows = this.s.claimRows.all({ until, token: req.token, now: req.now, limit: req.limit });
      rows.sort((a, b) => a.event_seq - b.event_seq);
      const out: ClaimedDelivery[] = [];
      for (const r of rows) {
        const e = this.s.eventForSend.get(r.event_seq);
        if (!e) continue;
        out.push({
          seq: r.event_seq,
          id: e.id,
          module: e.module,
          moduleSeq: e.module_seq,
          sessionId: e.session_id,
          receivedAt: e.received_at,
          dataJson: e.data,
          attempt: e.attempts + 1,
          attemptOffset: r.attempt_offset,
          claimToken: req.token,
        });
      }
      return out;
    }).immediate;

    const recordOne = (rec: AttemptRecord): RecordResult => {
      const ev = this.s.eventState.get(rec.seq);
      if (!ev) return { applied: false, status: "dead" };
      this.s.logAttempt.run(rec.seq, rec.attempt, rec.startedAt, rec.durationMs, rec.outcome.kind, rec.httpStatus, rec.error);
      const from = ev.delivery_status;
      const o = rec.outcome;
      if (o.kind === "delivered") {
        // The Bucket has it: true whoever's claim it was, so a late success still counts (once).
        if (from === "delivered") return { applied: false, status: from };
        this.s.markDelivered.run(rec.attempt, o.deliveredAt, Math.max(0, o.deliveredAt - ev.received_at), rec.seq);
        this.s.deleteOutbox.run(rec.seq);
        this.move(from, "delivered");
        this.s.bumpDeliveredAt.run(o.deliveredAt);
        return { applied: true, status: "delivered" };
      }
      // A failure moves the event only for the worker whose claim is current.
      if (this.s.outboxClaim.get(rec.seq)?.claimed_by !== rec.claimToken) return { applied: false, status: from };
      if (o.kind === "retry") {
        this.s.markRetrying.run(rec.attempt, rec.error, o.nextAttemptAt, rec.seq);
        this.s.reschedule.run(o.nextAttemptAt, rec.seq);
        this.move(from, "retrying");
        return { applied: true, status: "retrying" };
      }
      this.s.markDead.run(rec.attempt, rec.error, rec.seq);
      this.s.deleteOutbox.run(rec.seq);
      this.move(from, "dead");
      return { applied: true, status: "dead" };
    };
    this.record = db.transaction((recs: AttemptRecord[]): RecordResult[] => recs.map(recordOne)).immediate;

    this.release = db.transaction((claims: Array<{ seq: number; claimToken: string }>, now: number): number => {
      let n = 0;
      for (const c of claims) n += this.s.releaseRow.run(now, c.seq, c.claimToken).changes;
      return n;
    }).immediate;

    this.replay = db.transaction((sel: ReplaySelector, now: number): Array<{ id: string; module: string }> => {
      const anyFilter = sel.ids !== undefined || sel.module !== undefined || sel.since !== undefined || sel.until !== undefined;
      // nothing selected is not "everything": replaying all dead letters must be asked for
      if (!anyFilter && !sel.all) return [];
      const rows = sel.ids ? this.deadByIds(sel) : this.deadByFilter(sel);
      for (const r of rows) {
        this.s.markPending.run(r.seq);
        this.s.insertOutbox.run(r.seq, now, r.attempts);
      }
      if (rows.length > 0) {
        this.s.bumpCounter.run(-rows.length, "dead");
        this.s.bumpCounter.run(rows.length, "pending");
      }
      return rows.map((r) => ({ id: r.id, module: r.module }));
    }).immediate;
  }

  private move(from: DeliveryStatus, to: DeliveryStatus): void {
    if (from === to) return;
    this.s.bumpCounter.run(-1, from);
    this.s.bumpCounter.run(1, to);
  }

  private deadByIds(sel: ReplaySelector) {
    const out: Array<{ seq: number; id: string; module: string; attempts: number }> = [];
    for (const id of new Set(sel.ids)) {
      const r = this.s.deadById.get(id);
      if (!r) continue;
      if (sel.module !== undefined && r.module !== sel.module) continue;
      if (sel.since !== undefined && r.received_at < sel.since) continue;
      if (sel.until !== undefined && r.received_at > sel.until) continue;
      out.push(r);
    }
    return out;
  }

  /** Dead letters by module and time range: read through the (delivery_status, seq) index. */
  private deadByFilter(sel: ReplaySelector) {
    const where = ["delivery_status = 'dead'"];
    const params: Array<string | number> = [];
    if (sel.module !== undefined) {
      where.push("module = ?");
      params.push(sel.module);
    }
    if (sel.since !== undefined) {
      where.push("received_at >= ?");
      params.push(sel.since);
    }
    if (sel.until !== undefined) {
      where.push("received_at <= ?");
      params.push(sel.until);
    }
    return this.db
      .prepare(`SELECT seq, id, module, attempts FROM events WHERE ${where.join(" AND ")} ORDER BY seq`)
      .all(...params) as Array<{
      seq: number;
      id: string;
      module: string;
      attempts: number;
    }>;
  }
}
