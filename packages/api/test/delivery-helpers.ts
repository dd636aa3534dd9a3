import type { Clock } from "../src/clock.js";
import { createDeliveryFromConfig } from "../src/delivery/delivery-service.js";
import type { DeliveryWorker } from "../src/delivery/delivery-worker.js";
// The mock Bucket lives in @bridge/mock-modules, which already depends on this package for its own
// tests; importing its source by path keeps the workspace free of a dependency cycle.
import { type MockBucket, type MockBucketOptions, startMockBucket } from "../../mock-modules/src/bucket/bucket-server.js";
import { type TestBridge, startBridge } from "./helpers.js";

export { type MockBucket, startMockBucket };
export { verifyWebhookSignature } from "../../mock-modules/src/bucket/bucket-signature.js";

export const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
export const TOKEN = "bucket-token-123";

/** A clock tests move by hand; starts at the real time so signatures stay within tolerance. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
}
export function manualClock(start = Date.now()): ManualClock {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

export interface DeliveryRig {
  bridge: TestBridge;
  bucket: MockBucket;
  worker: DeliveryWorker;
  close(): Promise<void>;
}

/**
 * A bridge in http mode pointed at a mock Bucket on a random port, with its worker built from the
 * same config as main.ts builds it (token and signing secret on). `random` is the jitter source.
 */
export async function startDeliveryRig(
  opts: { env?: Record<string, string>; bucket?: MockBucketOptions; clock?: Clock; random?: () => number; start?: boolean } = {},
): Promise<DeliveryRig> {
  const bucket = await startMockBucket({ secret: SECRET, token: TOKEN, ...opts.bucket });
  const bridge = await startBridge({
    env: {
      BUCKET_URL: `${bucket.url}/ingest`,
      BUCKET_TOKEN: TOKEN,
      BUCKET_SIGNING_SECRET: SECRET,
      DELIVERY_BACKOFF_BASE_MS: "10",
      DELIVERY_BACKOFF_MAX_MS: "50",
      DELIVERY_POLL_INTERVAL_MS: "20",
      DELIVERY_TIMEOUT_MS: "2000",
      DELIVERY_CLAIM_TTL_MS: "10000",
      ...opts.env,
    },
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const worker = createDeliveryFromConfig({
    config: bridge.config,
    store: bridge.store,
    loggers: bridge.loggers,
    clock: opts.clock ?? { now: () => Date.now() },
    metrics: bridge.app.locals.metrics.delivery,
    ...(opts.random ? { random: opts.random } : {}),
  });
  if (!worker) throw new Error("no BUCKET_URL");
  if (opts.start !== false) worker.start();
  return {
    bridge,
    bucket,
    worker,
    async close() {
      await worker.stop({ graceMs: 100 });
      await bucket.close();
      await bridge.close({ remove: true });
    },
  };
}

/** A seeded PRNG (the mock modules' mulberry32), so fault injection is the same on every run. */
export { mulberry32 as seeded } from "../../mock-modules/src/random.js";
