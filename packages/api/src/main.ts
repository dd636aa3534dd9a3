import type { Server } from "node:http";
import { createApp } from "./app.js";
import { loadConfigOrExit } from "./config.js";
import { createServer } from "./http/server.js";
import { systemClock } from "./clock.js";
import { createDeliveryFromConfig } from "./delivery/delivery-service.js";
import { createLoggers } from "./logging/loggers.js";
import { SqliteEventStore } from "./storage/sqlite/sqlite-store.js";

/** Composition root: parse config, open storage, build the app, listen, handle signals. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const loggers = createLoggers(config.log);
  const store = new SqliteEventStore({ path: config.databasePath, deliveryMode: config.bucketUrl ? "http" : "embedded" });
  const app = createApp({ config, store, loggers });
  // the delivery worker, in this process unless DELIVERY_WORKER=off (then `pnpm worker` runs it)
  const delivery =
    config.delivery.worker === "in-process"
      ? createDeliveryFromConfig({ config, store, loggers, clock: systemClock, metrics: app.locals.metrics.delivery })
      : null;

  const purge = setInterval(() => {
    store
      .purgeIdempotencyKeys(Date.now() - config.idempotencyTtlMs)
      .catch((err) => loggers.app.warn("idempotency purge failed", { error: String(err) }));
  }, 3600_000);
  purge.unref();

  const server: Server = await new Promise((resolve, reject) => {
    // header size, request and headers deadlines come from config (http/server.ts)
    const s = createServer(app, config);
    s.once("error", reject);
    s.listen(config.port, config.host, () => resolve(s));
  });
  for (const warning of config.security.warnings) loggers.app.warn(`security: ${warning}`);
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : config.port;
  const base = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  loggers.app.info(`bridge listening on ${base}`, {
    root: config.root,
    database: config.databasePath,
    delivery: config.bucketUrl ? `http → ${safeUrl(config.bucketUrl)}` : "embedded",
  });
  // a line on stdout for scripts waiting for readiness
  process.stdout.write(`READY ${base}\n`);
  delivery?.start();

  let stopping = false;
  // While stopping, every answer closes its connection, so keep-alive clients cannot hold the
  // server open by reusing sockets; idle ones are closed as they appear.
  server.on("request", (_req, res: import("node:http").ServerResponse) => {
    if (stopping) res.setHeader("Connection", "close");
  });
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    loggers.app.info(`${signal} received: finishing requests in flight`);
    clearInterval(purge);
    const force = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
    force.unref();
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    clearInterval(idle);
    clearTimeout(force);
    // attempts in flight finish (or are released) before storage closes
    await delivery?.stop();
    await store.close();
    loggers.app.info("stopped cleanly");
    await loggers.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

/** The Bucket's URL for a log line: origin and path, never credentials or a query string. */
function safeUrl(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

main().catch((err) => {
  process.stderr.write(`bridge failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
