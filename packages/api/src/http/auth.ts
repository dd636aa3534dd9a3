import type { RequestHandler, Response } from "express";
import type { SecurityConfig } from "../security/security-config.js";
import { mayWriteModule, type Principal } from "../security/api-keys.js";
import { AppError } from "./problem.js";

/**
 * Who may call what (docs/security.md):
 * - POST /core/update: with API keys configured, a key whose scope holds the module (or `*`).
 * - read endpoints (status, insight, metrics): open until a read key exists (BRIDGE_READ_KEYS or a
 *   key with the `read` scope); then a read or admin key.
 * - operations (replay): open until any key exists; then an admin key.
 * 401: no key, a malformed Authorization header, or a key that matches none. 403: a known key
 * outside its scope. Lookups are in memory (digests in a KeyRing); no I/O per request.
 */
export interface Auth {
  /** Resolve the bearer key once per request into res.locals.auth; refuses nothing by itself. */
  identify: RequestHandler;
  /** Middleware for a route group: "read" or "admin". */
  requireScope(scope: "read" | "admin"): RequestHandler;
  /** POST /core/update, before the body is read: 401 unless a valid key (when write keys are configured). */
  requireWriter(res: Response): Principal | null;
  /** POST /core/update, after the body is parsed and before anything is stored: 403 outside the key's modules. */
  assertMayWrite(principal: Principal | null, module: string): void;
}

export interface AuthState {
  principal: Principal | null;
  /** An Authorization header was sent (well-formed or not). */
  presented: boolean;
  malformed: boolean;
}

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;
const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="core-bucket-bridge"' };

export function authState(res: Response): AuthState {
  return (res.locals.auth as AuthState | undefined) ?? { principal: null, presented: false, malformed: false };
}

export function createAuth(security: SecurityConfig): Auth {
  const { keyRing } = security;

  const unauthenticated = (state: AuthState): AppError => {
    // The detail never repeats what was sent: a near-miss key must not end up in a client's logs either.
    const detail = !state.presented
      ? "An API key is required: send Authorization: Bearer <key>"
      : state.malformed
        ? "The Authorization header must be: Bearer <key>"
        : "The API key is not known";
    return new AppError(
      "unauthenticated",
      detail,
      [{ field: "header.authorization", message: state.presented ? "is not a known key" : "is missing" }],
      CHALLENGE,
    );
  };

  const identify: RequestHandler = (req, res, next) => {
    const header = req.headers.authorization;
    if (header === undefined || keyRing.size === 0) {
      res.locals.auth = { principal: null, presented: header !== undefined, malformed: false } satisfies AuthState;
      next();
      return;
    }
    const token = BEARER.exec(header)?.[1];
    res.locals.auth = {
      principal: token ? keyRing.lookup(token) : null,
      presented: true,
      malformed: token === undefined,
    } satisfies AuthState;
    next();
  };

  const requireScope = (scope: "read" | "admin"): RequestHandler => {
    const enforced = scope === "read" ? security.readProtected : security.adminProtected;
    return (_req, res, next) => {
      if (!enforced) return next();
      const state = authState(res);
      if (!state.principal) return next(unauthenticated(state));
      const ok = scope === "read" ? state.principal.read || state.principal.admin : state.principal.admin;
      if (!ok) {
        return next(
          new AppError(
            "forbidden",
            scope === "read"
              ? "This key may not read; use a read key (BRIDGE_READ_KEYS) or a key with the read scope"
              : "This operation needs a key with the admin scope",
            [{ field: "header.authorization", message: `lacks the ${scope} scope` }],
          ),
        );
      }
      next();
    };
  };

  return {
    identify,
    requireScope,
    requireWriter(res) {
      const state = authState(res);
      if (!security.writeProtected) return state.principal;
      if (!state.principal) throw unauthenticated(state);
      return state.principal;
    },
    assertMayWrite(principal, module) {
      if (!security.writeProtected || !principal) return;
      if (!mayWriteModule(principal, module)) {
        throw new AppError("forbidden", `This key may not write module '${module}'`, [
          { field: "module", message: "is outside the key's scope" },
        ]);
      }
    },
  };
}
