import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { DeliveryMetrics } from "../http/metrics.js";
import type { Loggers } from "../logging/loggers.js";
import type { EventStore } from "../storage/event-store.js";
import { createBucketClient, type FetchLike } from "./bucket-client.js";
import { createDeliveryWorker, type DeliveryWorker } from "./delivery-worker.js";
import { retryPolicy, schedule } from "./retry-policy.js";

export interface DeliveryFromConfigDeps {
  config: Config;
  store: EventStore;
  loggers: Loggers;
  clock: Clock;
  metrics?: DeliveryMetrics;
  fetch?: FetchLike;
  random?: () => number;
  signal?: AbortSignal;
}

/**
 * The worker and its Bucket client built from the config, or null in embedded mode (no
 * BUCKET_URL: events count as delivered when stored). stop() also closes the client's sockets.
 */
export function createDeliveryFromConfig(deps: DeliveryFromConfigDeps): DeliveryWorker | null {
  const { config } = deps;
  if (!config.bucketUrl) return null;
  const d = config.delivery;
  const client = createBucketClient({
    url: config.bucketUrl,
    token: d.token,
    signingSecret: d.signingSecret,
    timeoutMs: d.timeoutMs,
    clock: deps.clock,
    connections: d.concurrency,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  const policy = retryPolicy(d);
  const worker = createDeliveryWorker({
    store: deps.store,
    client,
    policy,
    clock: deps.clock,
    flow: deps.loggers.flow,
    log: deps.loggers.app,
    concurrency: d.concurrency,
    claimTtlMs: d.claimTtlMs,
    pollIntervalMs: d.pollIntervalMs,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.random ? { random: deps.random } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  let clientClosed = false;
  return {
    ...worker,
    start() {
      deps.loggers.app.info("delivery worker started", {
        bucket: new URL(config.bucketUrl as string).origin,
        concurrency: d.concurrency,
        timeout_ms: d.timeoutMs,
        max_attempts: d.maxAttempts,
        backoff_caps_ms: schedule(policy),
        signed: d.signingSecret !== null,
        token: d.token !== null,
      });
      worker.start();
    },
    async stop(opts) {
      await worker.stop({ graceMs: d.timeoutMs, ...opts });
      if (!clientClosed) {
        clientClosed = true;
        await client.close();
      }
    },
  };
}
