import type { RequestHandler } from "express";
import client from "prom-client";

export interface Metrics {
  registry: client.Registry;
  httpRequests: client.Counter<"method" | "route" | "status">;
  httpDuration: client.Histogram<"method" | "route">;
  ingestOutcomes: client.Counter<"outcome">;
  middleware: RequestHandler;
  delivery: DeliveryMetrics;
}

/** Delivery to the Bucket. The two gauges read the store's counters when /metrics is scraped. */
export interface DeliveryMetrics {
  delivered: client.Counter;
  retried: client.Counter;
  deadLettered: client.Counter;
  replayed: client.Counter;
  attempts: client.Counter<"result">;
  /** Seconds from ingest to the Bucket's acknowledgement. */
  latency: client.Histogram;
  /** Give the gauges their source (the store's status snapshot); until then they read 0. */
  bindQueue(source: () => Promise<{ depth: number; oldestPendingAgeSeconds: number | null }>): void;
}

export function createDeliveryMetrics(registry: client.Registry): DeliveryMetrics {
  const registers = [registry];
  let source: (() => Promise<{ depth: number; oldestPendingAgeSeconds: number | null }>) | null = null;
  const read = async () => (source ? source() : { depth: 0, oldestPendingAgeSeconds: null });
  new client.Gauge({
    name: "bridge_delivery_queue_depth",
    help: "Events waiting for delivery (pending + retrying)",
    registers,
    async collect() {
      this.set((await read()).depth);
    },
  });
  new client.Gauge({
    name: "bridge_delivery_oldest_pending_age_seconds",
    help: "Age of the oldest event not yet delivered (0 when none)",
    registers,
    async collect() {
      this.set((await read()).oldestPendingAgeSeconds ?? 0);
    },
  });
  const attempts = new client.Counter({
    name: "bridge_delivery_attempts_total",
    help: "Delivery attempts by result (delivered, retry, dead, stale)",
    labelNames: ["result"] as const,
    registers,
  });
  for (const result of ["delivered", "retry", "dead", "stale"]) attempts.inc({ result }, 0);
  return {
    delivered: new client.Counter({ name: "bridge_delivery_delivered_total", help: "Events delivered to the Bucket", registers }),
    retried: new client.Counter({ name: "bridge_delivery_retried_total", help: "Retries scheduled after a failed attempt", registers }),
    deadLettered: new client.Counter({ name: "bridge_delivery_dead_lettered_total", help: "Events dead-lettered", registers }),
    replayed: new client.Counter({ name: "bridge_delivery_replayed_total", help: "Dead letters re-queued by a replay", registers }),
    attempts,
    // delivery latency spans a local Bucket (ms) to an outage drained hours later
    latency: new client.Histogram({
      name: "bridge_delivery_latency_seconds",
      help: "Time from ingest to delivery",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600],
      registers,
    }),
    bindQueue(s) {
      source = s;
    },
  };
}

/** One registry per app instance, so tests can run several apps in one process. */
export function createMetrics(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "bridge_" });
  const httpRequests = new client.Counter({
    name: "bridge_http_requests_total",
    help: "HTTP requests by method, route and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const httpDuration = new client.Histogram({
    name: "bridge_http_request_duration_seconds",
    help: "HTTP request duration by method and route",
    labelNames: ["method", "route"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const ingestOutcomes = new client.Counter({
    name: "bridge_ingest_total",
    help: "Updates to /core/update by outcome (accepted, replayed, refused)",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  for (const outcome of ["accepted", "replayed", "refused"]) ingestOutcomes.inc({ outcome }, 0);

  // label children cached by their label values: prom-client hashes a label object on every call
  const counters = new Map<string, client.Counter.Internal>();
  const timers = new Map<string, client.Histogram.Internal<"method" | "route">>();
  const middleware: RequestHandler = (req, res, next) => {
    const start = performance.now();
    res.on("finish", () => {
      // the matched route pattern, never the raw path (ids would explode the label set)
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : "unmatched";
      const key = `${req.method} ${route}`;
      const status = String(res.statusCode);
      let counter = counters.get(`${key} ${status}`);
      if (!counter) {
        counter = httpRequests.labels({ method: req.method, route, status });
        counters.set(`${key} ${status}`, counter);
      }
      let timer = timers.get(key);
      if (!timer) {
        timer = httpDuration.labels({ method: req.method, route });
        timers.set(key, timer);
      }
      counter.inc();
      timer.observe((performance.now() - start) / 1000);
    });
    next();
  };
  const delivery = createDeliveryMetrics(registry);
  return { registry, httpRequests, httpDuration, ingestOutcomes, middleware, delivery };
}
