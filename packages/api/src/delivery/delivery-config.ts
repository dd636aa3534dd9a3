import { z } from "zod";

const int = (min: number, max: number) => z.coerce.number({ message: "must be a number" }).int().min(min).max(max);

/**
 * Environment variables of delivery to the Bucket, merged into config.ts's EnvSchema. The two
 * secrets are plain strings here and checked in buildDeliveryConfig, so an invalid value is named
 * in the error but never printed.
 */
export const DeliveryEnvShape = {
  BUCKET_TOKEN: z.string().optional(),
  BUCKET_SIGNING_SECRET: z.string().optional(),
  DELIVERY_WORKER: z.enum(["in-process", "off"], { message: "must be in-process or off" }).default("in-process"),
  DELIVERY_MAX_ATTEMPTS: int(1, 100).default(15),
  DELIVERY_BACKOFF_BASE_MS: int(1, 3_600_000).default(1000),
  DELIVERY_BACKOFF_MAX_MS: int(1, 86_400_000).default(600_000),
  DELIVERY_CONCURRENCY: int(1, 256).default(16),
  DELIVERY_TIMEOUT_MS: int(100, 600_000).default(10_000),
  DELIVERY_CLAIM_TTL_MS: int(1000, 3_600_000).default(60_000),
  DELIVERY_POLL_INTERVAL_MS: int(10, 60_000).default(100),
};
const DeliveryEnvSchema = z.object(DeliveryEnvShape);
type DeliveryEnv = z.infer<typeof DeliveryEnvSchema>;

export interface DeliveryConfig {
  /** in-process: the api runs the worker; off: run `pnpm worker` beside it (or no delivery at all). */
  worker: "in-process" | "off";
  token: string | null;
  signingSecret: string | null;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  concurrency: number;
  timeoutMs: number;
  claimTtlMs: number;
  pollIntervalMs: number;
}

const TOKEN = /^[\x21-\x7E]{1,4096}$/;

/** Cross-field checks; every problem is pushed, named by variable, values of secrets never shown. */
export function buildDeliveryConfig(e: DeliveryEnv, problems: string[]): DeliveryConfig {
  if (e.BUCKET_TOKEN !== undefined && !TOKEN.test(e.BUCKET_TOKEN)) {
    problems.push("BUCKET_TOKEN=(value hidden): must be 1-4096 printable characters without spaces");
  }
  if (e.BUCKET_SIGNING_SECRET !== undefined && !signingKeyValid(e.BUCKET_SIGNING_SECRET)) {
    problems.push("BUCKET_SIGNING_SECRET=(value hidden): must be whsec_<base64 of 24-64 bytes>, or at least 24 characters");
  }
  if (e.DELIVERY_BACKOFF_MAX_MS < e.DELIVERY_BACKOFF_BASE_MS) {
    problems.push(
      `DELIVERY_BACKOFF_MAX_MS=${e.DELIVERY_BACKOFF_MAX_MS}: must be at least DELIVERY_BACKOFF_BASE_MS (${e.DELIVERY_BACKOFF_BASE_MS})`,
    );
  }
  // A claim must outlive the attempt it covers, with room to record the outcome.
  if (e.DELIVERY_CLAIM_TTL_MS < 2 * e.DELIVERY_TIMEOUT_MS) {
    problems.push(
      `DELIVERY_CLAIM_TTL_MS=${e.DELIVERY_CLAIM_TTL_MS}: must be at least twice DELIVERY_TIMEOUT_MS (${e.DELIVERY_TIMEOUT_MS})`,
    );
  }
  return {
    worker: e.DELIVERY_WORKER,
    token: e.BUCKET_TOKEN ?? null,
    signingSecret: e.BUCKET_SIGNING_SECRET ?? null,
    maxAttempts: e.DELIVERY_MAX_ATTEMPTS,
    backoffBaseMs: e.DELIVERY_BACKOFF_BASE_MS,
    backoffMaxMs: e.DELIVERY_BACKOFF_MAX_MS,
    concurrency: e.DELIVERY_CONCURRENCY,
    timeoutMs: e.DELIVERY_TIMEOUT_MS,
    claimTtlMs: e.DELIVERY_CLAIM_TTL_MS,
    pollIntervalMs: e.DELIVERY_POLL_INTERVAL_MS,
  };
}

function signingKeyValid(secret: string): boolean {
  if (!secret.startsWith("whsec_")) return secret.length >= 24;
  const b64 = secret.slice("whsec_".length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return false;
  const n = Buffer.from(b64, "base64").length;
  return n >= 24 && n <= 64;
}
