import type { Response } from "express";
import { ERROR_STATUS, type ErrorCode, type FieldError, type ProblemDetails } from "@bridge/shared";
import type { ZodError } from "zod";

const TITLES: Record<ErrorCode, string> = {
  malformed_json: "Malformed JSON",
  invalid_query: "Invalid query parameters",
  malformed_request: "Malformed HTTP request",
  unauthenticated: "Authentication required",
  forbidden: "Forbidden",
  not_found: "Not found",
  method_not_allowed: "Method not allowed",
  request_timeout: "Request timeout",
  idempotency_in_flight: "Request with this Idempotency-Key is in flight",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  validation_failed: "Validation failed",
  idempotency_key_reused: "Idempotency-Key reused with a different body",
  rate_limited: "Too many requests",
  header_too_large: "Request headers too large",
  internal: "Internal error",
  storage_unavailable: "Storage unavailable",
};

/** An operational error: something the client or the environment did, answered with a problem body. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly fieldErrors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = "AppError";
    this.status = ERROR_STATUS[code];
  }
}

export function problemBody(code: ErrorCode, detail: string, errors?: FieldError[], requestId?: string): ProblemDetails {
  return {
    type: `https://core-bucket-bridge.dev/problems/${code.replaceAll("_", "-")}`,
    title: TITLES[code],
    status: ERROR_STATUS[code],
    detail,
    code,
    ...(errors && errors.length > 0 ? { errors } : {}),
    ...(requestId ? { request_id: requestId } : {}),
  };
}

export function sendProblem(res: Response, err: AppError): void {
  res.locals.errorCode = err.code;
  // the rest of an oversized body is not read: close the connection after the answer
  if (err.code === "payload_too_large") res.setHeader("Connection", "close");
  if (err.headers) for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  res
    .status(err.status)
    .type("application/problem+json")
    .send(JSON.stringify(problemBody(err.code, err.detail, err.fieldErrors, res.locals.requestId as string | undefined)));
}

/** Field errors from a zod error, with dotted paths under a prefix ("body", "query"). */
export function fieldErrors(error: ZodError, prefix?: string): FieldError[] {
  return error.issues.map((issue) => {
    const path = issue.code === "unrecognized_keys" ? [...issue.path, ...issue.keys.slice(0, 1)] : issue.path;
    const field = [prefix, ...path.map(String)].filter(Boolean).join(".") || (prefix ?? "body");
    const message =
      issue.code === "unrecognized_keys" ? `unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}` : issue.message;
    return { field, message };
  });
}

export function validationError(error: ZodError, code: "validation_failed" | "invalid_query", prefix?: string): AppError {
  const errors = fieldErrors(error, prefix);
  const first = errors[0];
  const what = code === "invalid_query" ? "query parameter" : "field";
  return new AppError(code, first ? `Invalid ${what} '${first.field}': ${first.message}` : "Invalid request", errors);
}
