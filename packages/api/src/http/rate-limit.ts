import type { RequestHandler } from "express";
import { ipKeyGenerator, rateLimit } from "express-rate-limit";
import { authState } from "./auth.js";
import { AppError } from "./problem.js";

const WINDOW_MS = 60_000;

/**
 * Requests per minute per API key, or per client address for requests without a valid key (so
 * guessing keys is limited too). In memory (express-rate-limit's MemoryStore): no I/O per request.
 * The client address is the socket's unless TRUST_PROXY names the proxies in front, so a forged
 * X-Forwarded-For changes nothing. Returns null when limits are off (perMinute 0).
 */
export function createRateLimiter(perMinute: number): RequestHandler | null {
  if (perMinute <= 0) return null;
  return rateLimit({
    windowMs: WINDOW_MS,
    limit: perMinute,
    standardHeaders: "draft-7",
    legacyHeaders: false,
    keyGenerator: (req, res) => {
      const principal = authState(res).principal;
      // IPv6 clients are grouped by /56, the library's default, so one host cannot rotate addresses
      return principal ? principal.id : `ip:${ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? "unknown")}`;
    },
    // Health probes come from orchestrators at their own pace and carry no key.
    skip: (req) => req.path === "/healthz" || req.path === "/readyz",
    handler: (_req, res, next) => {
      // express-rate-limit has already set Retry-After (seconds to the window's reset)
      const retry = res.getHeader("Retry-After");
      next(
        new AppError(
          "rate_limited",
          `Rate limit of ${perMinute} requests per minute exceeded; retry after ${String(retry ?? 60)} s`,
          undefined,
          {
            "Retry-After": String(retry ?? 60),
          },
        ),
      );
    },
    // The X-Forwarded-For check warns when the header is present and trust proxy is off: that is our
    // deliberate default (a forged header must change nothing), so the warning would be noise.
    validate: { xForwardedForHeader: false, forwardedHeader: false },
  });
}
