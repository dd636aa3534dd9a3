import { createHmac, timingSafeEqual } from "node:crypto";

/** Why a Standard Webhooks signature was refused, or null when it verifies. */
export type SignatureProblem = string | null;

/**
 * Verify a Standard Webhooks signature (https://www.standardwebhooks.com) over the exact body
 * bytes: `webhook-signature` holds one or more space-separated `v1,<base64>` entries, each an
 * HMAC-SHA256 of `${webhook-id}.${webhook-timestamp}.${body}`; the timestamp must be within
 * `toleranceSeconds` of now (default 5 minutes, as the standard's libraries use).
 */
export function verifyWebhookSignature(opts: {
  secret: string;
  headers: { id?: string; timestamp?: string; signature?: string };
  body: Buffer;
  nowMs?: number;
  toleranceSeconds?: number;
}): SignatureProblem {
  const { id, timestamp, signature } = opts.headers;
  if (!id || !timestamp || !signature) return "missing webhook-id, webhook-timestamp or webhook-signature";
  if (!/^\d{1,12}$/.test(timestamp)) return "webhook-timestamp is not a number of seconds";
  const skew = Math.abs((opts.nowMs ?? Date.now()) / 1000 - Number(timestamp));
  if (skew > (opts.toleranceSeconds ?? 300)) return `webhook-timestamp is ${Math.round(skew)} s away from now`;
  const key = opts.secret.startsWith("whsec_") ? Buffer.from(opts.secret.slice(6), "base64") : Buffer.from(opts.secret, "utf8");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.`).update(opts.body).digest();
  for (const entry of signature.split(" ")) {
    const [version, b64] = entry.split(",", 2);
    if (version !== "v1" || !b64) continue;
    const given = Buffer.from(b64, "base64");
    if (given.length === expected.length && timingSafeEqual(given, expected)) return null;
  }
  return "no v1 signature matches";
}
