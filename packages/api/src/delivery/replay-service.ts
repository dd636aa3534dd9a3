import type { ReplayRequest, ReplayResponse } from "@bridge/shared";
import type { Clock } from "../clock.js";
import type { DeliveryMetrics } from "../http/metrics.js";
import type { FlowLog } from "../logging/loggers.js";
import type { EventStore } from "../storage/event-store.js";

export interface ReplayService {
  /** Re-queue the dead letters the request selects; each gets a fresh retry budget and a `replayed` flow line. */
  replay(request: ReplayRequest): Promise<ReplayResponse>;
}

export function createReplayService(deps: { store: EventStore; flow: FlowLog; clock: Clock; metrics?: DeliveryMetrics }): ReplayService {
  return {
    async replay(r) {
      const queued = await deps.store.replayDead(
        {
          ...(r.all ? { all: true } : {}),
          ...(r.module !== undefined ? { module: r.module } : {}),
          ...(r.since !== undefined ? { since: Date.parse(r.since) } : {}),
          ...(r.until !== undefined ? { until: Date.parse(r.until) } : {}),
          ...(r.ids !== undefined ? { ids: r.ids } : {}),
        },
        deps.clock.now(),
      );
      for (const e of queued) {
        deps.flow.write({ step: "replayed", event_id: e.id, module: e.module, message: `replayed dead letter ${e.id}` });
      }
      deps.metrics?.replayed.inc(queued.length);
      return { queued: queued.length };
    },
  };
}

/** Queue depth and oldest pending age for the /metrics gauges: read from counters, O(1) in events. */
export async function deliveryQueueSnapshot(
  store: EventStore,
  clock: Clock,
): Promise<{ depth: number; oldestPendingAgeSeconds: number | null }> {
  const s = await store.status();
  return {
    depth: s.delivery.pending + s.delivery.retrying,
    oldestPendingAgeSeconds: s.delivery.oldestPendingAt === null ? null : Math.max(0, (clock.now() - s.delivery.oldestPendingAt) / 1000),
  };
}
