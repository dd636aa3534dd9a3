import type { InsightEvent, InsightEventDetail, StatusResponse } from "@bridge/shared";
import { iso, isoOrNull } from "../clock.js";
import type { DeliveryMode, StatusSnapshot, StoredEvent, StoredEventDetail } from "../storage/event-store.js";

/** Storage rows → wire shapes. Pure functions, so the HTTP layer stays thin. */
export function statusView(s: StatusSnapshot, mode: DeliveryMode, now: number): StatusResponse {
  return {
    last_sync_time: isoOrNull(s.lastSyncAt),
    total_sync_count: s.totalCount,
    module_sync_counts: Object.fromEntries(s.modules.map((m) => [m.module, m.count])),
    module_last_sync_time: Object.fromEntries(s.modules.map((m) => [m.module, iso(m.lastSyncAt)])),
    delivery: {
      mode,
      pending: s.delivery.pending,
      retrying: s.delivery.retrying,
      delivered: s.delivery.delivered,
      dead: s.delivery.dead,
      oldest_pending_age_seconds:
        s.delivery.oldestPendingAt === null ? null : Math.max(0, Math.round((now - s.delivery.oldestPendingAt) / 100) / 10),
      last_delivered_time: isoOrNull(s.delivery.lastDeliveredAt),
    },
  };
}

export function eventView(e: StoredEvent): InsightEvent {
  return {
    id: e.id,
    module: e.module,
    session_id: e.sessionId,
    sequence: e.moduleSeq,
    received_at: iso(e.receivedAt),
    latency_ms: Math.round(e.latencyMs * 1000) / 1000,
    size_bytes: e.sizeBytes,
    delivery_status: e.deliveryStatus,
    attempts: e.attempts,
    last_error: e.lastError,
    next_attempt_at: isoOrNull(e.nextAttemptAt),
    delivered_at: isoOrNull(e.deliveredAt),
    delivery_latency_ms: e.deliveryLatencyMs,
  };
}

export function eventDetailView(e: StoredEventDetail): InsightEventDetail {
  return {
    ...eventView(e),
    data: JSON.parse(e.dataJson) as Record<string, unknown>,
    delivery_attempts: e.attemptsLog.map((a) => ({
      attempt: a.attempt,
      started_at: iso(a.startedAt),
      duration_ms: a.duration_ms,
      outcome: a.outcome,
      http_status: a.http_status,
      error: a.error,
    })),
  };
}

/** Opaque keyset cursor: base64url of the last storage sequence on the page. */
export const encodeCursor = (seq: number): string => Buffer.from(`s${seq}`).toString("base64url");
export function decodeCursor(cursor: string): number | null {
  const m = /^s(\d{1,15})$/.exec(Buffer.from(cursor, "base64url").toString("latin1"));
  return m ? Number(m[1]) : null;
}
