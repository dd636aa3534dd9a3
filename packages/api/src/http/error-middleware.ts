import type { ErrorRequestHandler, RequestHandler } from "express";
import type winston from "winston";
import { StorageUnavailableError } from "../storage/event-store.js";
import { AppError, sendProblem } from "./problem.js";

/** Unknown routes: 404 problem. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError("not_found", `No route for ${req.method} ${req.path}`));
};

/** The one error handler: operational errors become their problem; anything else a generic 500. */
export function errorMiddleware(log: winston.Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appErr = toAppError(err);
    if (!appErr) {
      log.error("unexpected error", {
        request_id: res.locals.requestId,
        method: req.method,
        path: req.path,
        error: err instanceof Error ? err.stack : String(err),
      });
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendProblem(res, appErr ?? new AppError("internal", "The bridge hit an unexpected error; it has been logged."));
  };
}

function toAppError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (err instanceof StorageUnavailableError) {
    return new AppError("storage_unavailable", "Storage is unavailable; retry later.", undefined, { "Retry-After": "5" });
  }
  // body-parser style errors from any express middleware (status + type)
  const e = err as { status?: number; type?: string; expose?: boolean };
  if (e && typeof e.status === "number" && e.status >= 400 && e.status < 500) {
    if (e.status === 413) return new AppError("payload_too_large", "Request body is too large");
    if (e.status === 415) return new AppError("unsupported_media_type", "Unsupported content encoding or type");
    if (e.type === "entity.parse.failed") return new AppError("malformed_json", "Request body is not valid JSON");
    return new AppError("malformed_json", "Request could not be read");
  }
  return null;
}
