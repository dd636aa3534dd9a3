import { systemClock } from "../clock.js";
import { loadConfigOrExit } from "../config.js";
import { createDeliveryMetrics } from "../http/metrics.js";
import { createLoggers } from "../logging/loggers.js";
import { SqliteEventStore } from "../storage/sqlite/sqlite-store.js";
import { createDeliveryFromConfig } from "./delivery-service.js";
import client from "prom-client";

/**
 * The delivery worker on its own (`pnpm worker`), beside an api started with DELIVERY_WORKER=off.
 * Same config and database; SQLite's WAL lets both processes work on the file, and claims keep
 * two workers from sending the same event at once.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.bucketUrl) {
    process.stderr.write("BUCKET_URL is not set: in embedded mode events are delivered when stored, so there is nothing to run.\n");
    process.exit(2);
  }
  const loggers = createLoggers(config.log);
  const store = new SqliteEventStore({ path: config.databasePath, deliveryMode: "http" });
  const metrics = createDeliveryMetrics(new client.Registry());
  const worker = createDeliveryFromConfig({ config, store, loggers, clock: systemClock, metrics });
  if (!worker) return;
  worker.start();
  process.stdout.write(`READY worker → ${new URL(config.bucketUrl).origin}\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    loggers.app.info(`${signal} received: finishing attempts in flight`);
    await worker.stop();
    await store.close();
    loggers.app.info("worker stopped cleanly");
    await loggers.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err) => {
  process.stderr.write(`delivery worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
