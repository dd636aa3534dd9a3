import { z } from "zod";

/** The closed set of error codes the bridge answers with, and the HTTP status of each. */
export const ERROR_STATUS = {
  malformed_json: 400,
  invalid_query: 400,
  malformed_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  idempotency_in_flight: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  idempotency_key_reused: 422,
  rate_limited: 429,
  header_too_large: 431,
  internal: 500,
  storage_unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;
export const ErrorCode = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]);

export const FieldError = z.object({
  field: z.string().meta({ description: "Dotted path of the offending field, e.g. `data` or `body.module`" }),
  message: z.string(),
});
export type FieldError = z.infer<typeof FieldError>;

/** Every error body: RFC 9457 problem details, served as application/problem+json. */
export const ProblemDetails = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: ErrorCode,
    errors: z.array(FieldError).optional(),
    request_id: z.string().optional(),
  })
  .meta({ id: "ProblemDetails" });
export type ProblemDetails = z.infer<typeof ProblemDetails>;
