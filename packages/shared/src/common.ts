import { z } from "zod";

/** ISO-8601 UTC timestamp ending in Z, e.g. 2025-10-16T10:20:00.000Z. */
export const IsoTimestamp = z.iso.datetime().meta({ description: "ISO-8601 UTC timestamp ending in Z" });

/** A time a client gives (a query parameter, a filter): ISO-8601 with Z or an offset; compare with Date.parse. */
export const IsoTimestampInput = z.iso
  .datetime({ offset: true, message: "must be an ISO-8601 date-time with Z or an offset, e.g. 2026-12-03T15:00:00Z" })
  .meta({ description: "ISO-8601 date-time, Z or an offset (2026-12-03T16:00:00+01:00)" });

/** Strings that may end up in a log line or a header must not carry control or format characters
 * (CR, LF, NUL, bidi overrides, zero-width characters, line/paragraph separators), nor lone surrogates,
 * which UTF-8 cannot encode and so would not read back as sent. */
const NO_CONTROL = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]*$/u;

/** A Core module's name: 1–64 chars, letters, digits, `_ . -`, starting with a letter or digit. */
export const ModuleName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
    message: "must start with a letter or digit and contain only letters, digits, '_', '.' and '-'",
  })
  .meta({ description: "Core module name", examples: ["education"] });

export const SessionId = z
  .string()
  .min(1)
  .max(128)
  .regex(NO_CONTROL, { message: "must not contain control characters" })
  .meta({ description: "Client session identifier; generated (UUID) when absent" });

/** Idempotency-Key header: 1–255 printable ASCII characters. */
export const IdempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x20-\x7E]+$/, { message: "must be printable ASCII" });

/** Delivery state of an event on its way to the Bucket. */
export const DeliveryStatus = z.enum(["pending", "retrying", "delivered", "dead"]);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

/** A JSON object (not null, not an array). Validated without copying, so keys such as
 * `__proto__` stay plain data (zod's record copies keys and would turn `__proto__` into a prototype). */
export const JsonObject = z
  .custom<Record<string, unknown>>((v) => typeof v === "object" && v !== null && !Array.isArray(v), { message: "must be a JSON object" })
  .meta({ type: "object", description: "Any JSON object", additionalProperties: true });
export type JsonObject = z.infer<typeof JsonObject>;
