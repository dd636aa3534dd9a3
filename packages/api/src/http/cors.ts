import type { RequestHandler } from "express";
import { AppError } from "./problem.js";

const ALLOW_METHODS = "GET, HEAD, POST, OPTIONS";
const ALLOW_HEADERS = "Authorization, Content-Type, Content-Encoding, Idempotency-Key, X-Request-Id";
const EXPOSE_HEADERS = "Retry-After, X-Request-Id, Idempotent-Replayed, RateLimit, RateLimit-Policy";
/** Browsers cache a preflight this long (10 min), so the dashboard's polling costs one preflight per window. */
const MAX_AGE_SECONDS = "600";

/**
 * CORS with an allow-list (CORS_ORIGINS; default the dashboard's dev origins). An allowed origin gets
 * its own origin echoed back (never `*`) and no credentials (keys travel in Authorization, not cookies).
 * A preflight from another origin is refused with 403; a plain request from one is served without CORS
 * headers, so the browser withholds the answer from the page.
 */
export function corsAllowList(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    res.append("Vary", "Origin");
    const ok = allowed.has(origin);
    const preflight = req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined;
    if (!ok) {
      if (preflight) {
        return next(
          new AppError("forbidden", "This origin is not allowed to call the bridge (CORS_ORIGINS)", [
            { field: "header.origin", message: "is not in the allow-list" },
          ]),
        );
      }
      return next();
    }
    res.setHeader("Access-Control-Allow-Origin", origin);
    if (preflight) {
      res.setHeader("Access-Control-Allow-Methods", ALLOW_METHODS);
      res.setHeader("Access-Control-Allow-Headers", ALLOW_HEADERS);
      res.setHeader("Access-Control-Max-Age", MAX_AGE_SECONDS);
      res.status(204).end();
      return;
    }
    res.setHeader("Access-Control-Expose-Headers", EXPOSE_HEADERS);
    next();
  };
}
