import { randomUUID } from "node:crypto";
import express, { type Express } from "express";
import helmet from "helmet";
import { type Clock, systemClock } from "./clock.js";
import type { Config } from "./config.js";
import { createAuth } from "./http/auth.js";
import { corsAllowList } from "./http/cors.js";
import { errorMiddleware, notFound } from "./http/error-middleware.js";
import { ingestRoutes } from "./http/ingest-routes.js";
import { createMetrics, type Metrics } from "./http/metrics.js";
import { operationsRoutes } from "./http/operations-routes.js";
import { opsRoutes } from "./http/ops-routes.js";
import { createRateLimiter } from "./http/rate-limit.js";
import { readRoutes } from "./http/read-routes.js";
import { staticRoutes } from "./http/static-routes.js";
import { deliveryQueueSnapshot } from "./delivery/replay-service.js";
import { createIngestService } from "./ingest/ingest-service.js";
import type { Loggers } from "./logging/loggers.js";
import type { EventStore } from "./storage/event-store.js";

export interface AppDeps {
  config: Config;
  store: EventStore;
  loggers: Loggers;
  clock?: Clock;
  metrics?: Metrics;
}

const REQUEST_ID = /^[\w.:-]{1,64}$/;

/** Build the Express app: middleware and routes, nothing else. main.ts listens; tests use random ports. */
export function createApp(deps: AppDeps): Express & { locals: { metrics: Metrics } } {
  const clock = deps.clock ?? systemClock;
  const metrics = deps.metrics ?? createMetrics();
  const deliveryMode = deps.config.bucketUrl ? "http" : "embedded";
  const ingest = createIngestService({ store: deps.store, loggers: deps.loggers, clock });

  const auth = createAuth(deps.config.security);
  const limiter = createRateLimiter(deps.config.rateLimit.perMinute);

  const app = express();
  app.disable("x-powered-by");
  // off by default: req.ip is the socket's address and X-Forwarded-For is ignored (docs/security.md)
  app.set("trust proxy", deps.config.rateLimit.trustProxy);
  // helmet's defaults, less upgrade-insecure-requests: the bridge itself speaks plain http, and on a
  // non-loopback bind that directive would make browsers ask for the dashboard's assets over https.
  // Behind a TLS-terminating proxy, the proxy sets it (docs/security.md).
  // No Strict-Transport-Security either, for the same reason: HSTS belongs to the TLS proxy, which
  // chooses its max-age and includeSubDomains for its own domain.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } }, strictTransportSecurity: false }));
  app.set("etag", false);
  app.locals.metrics = metrics;

  app.use((req, res, next) => {
    const given = req.headers["x-request-id"];
    const id = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    res.setHeader("X-Request-Id", id);
    next();
  });
  app.use(metrics.middleware);
  app.use(corsAllowList(deps.config.cors.origins));
  app.use(auth.identify);

  app.use(ingestRoutes({ config: deps.config, ingest, coreSync: deps.loggers.coreSync, metrics, auth, guards: limiter ? [limiter] : [] }));
  // everything below is limited here; /core/update is limited inside its router, after its log line starts
  if (limiter) app.use(limiter);
  app.use(["/bucket/status", "/insight", "/metrics"], auth.requireScope("read"));
  app.use(readRoutes({ store: deps.store, clock, deliveryMode }));
  app.use(opsRoutes({ config: deps.config, store: deps.store, metrics }));
  app.use(operationsRoutes({ store: deps.store, loggers: deps.loggers, clock, metrics, guards: [auth.requireScope("admin")] }));
  metrics.delivery.bindQueue(() => deliveryQueueSnapshot(deps.store, clock));

  // the built dashboard, after every api route: unknown api paths still get a JSON 404 below
  app.use(staticRoutes({ dir: deps.config.dashboardDir }));
  app.use(notFound);
  app.use(errorMiddleware(deps.loggers.app));
  return app as Express & { locals: { metrics: Metrics } };
}
