import type { RequestHandler } from "express";
import client from "prom-client";

export interface Metrics {
  registry: client.Registry;
  httpRequests: client.Counter<"method" | "route" | "status">;
  httpDuration: client.Histogram<"method" | "route">;
  ingestOutcomes: client.Counter<"outcome">;
  middleware: RequestHandler;
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

  const middleware: RequestHandler = (req, res, next) => {
    const end = httpDuration.startTimer();
    res.on("finish", () => {
      // the matched route pattern, never the raw path (ids would explode the label set)
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : "unmatched";
      httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      end({ method: req.method, route });
    });
    next();
  };
  return { registry, httpRequests, httpDuration, ingestOutcomes, middleware };
}
