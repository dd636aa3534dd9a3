/** Counters of one emitter run, and the latencies of every answer the bridge gave. */
export class RunStats {
  sent = 0;
  accepted = 0;
  refused = 0;
  failed = 0;
  /** Attempts that were tried again (interval mode): the bridge was down or answered 5xx. */
  retries = 0;
  private readonly latencies: number[] = [];

  record(latencyMs: number | null): void {
    if (latencyMs !== null) this.latencies.push(latencyMs);
  }

  /** Nearest-rank percentile over every answered request, or null before the first answer. */
  percentile(p: number): number | null {
    if (this.latencies.length === 0) return null;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
    return sorted[rank - 1] ?? null;
  }

  summary(): RunSummary {
    return {
      sent: this.sent,
      accepted: this.accepted,
      refused: this.refused,
      failed: this.failed,
      retries: this.retries,
      latency_p50_ms: round(this.percentile(50)),
      latency_p99_ms: round(this.percentile(99)),
    };
  }
}

export interface RunSummary {
  sent: number;
  accepted: number;
  refused: number;
  failed: number;
  retries: number;
  latency_p50_ms: number | null;
  latency_p99_ms: number | null;
}

const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

export function formatMs(v: number | null): string {
  return v === null ? "–" : `${v.toFixed(1)} ms`;
}
