import { createHmac } from "node:crypto";

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the signature is
 * `v1,` + base64(HMAC-SHA256(key, `${webhook-id}.${webhook-timestamp}.${body}`)), computed over
 * the exact bytes sent. A secret `whsec_<base64>` is the base64 of the key, as the standard's
 * libraries generate it; any other secret is used as its UTF-8 bytes.
 */
export function signingKey(secret: string): Buffer {
  return secret.startsWith("whsec_") ? Buffer.from(secret.slice("whsec_".length), "base64") : Buffer.from(secret, "utf8");
}

export function signWebhook(key: Buffer, id: string, timestampSeconds: number, body: string | Buffer): string {
  const mac = createHmac("sha256", key).update(`${id}.${timestampSeconds}.`).update(body).digest("base64");
  return `v1,${mac}`;
}
