import type { RequestHandler, Router } from "express";
import { AppError } from "./problem.js";

type Method = "get" | "post" | "put" | "patch" | "delete";

/** Register a path's handlers, and answer every other method on it with 405 and an Allow header. */
export function route(router: Router, path: string, handlers: Partial<Record<Method, RequestHandler | RequestHandler[]>>): void {
  const allowed = Object.keys(handlers).map((m) => m.toUpperCase());
  if (allowed.includes("GET")) allowed.push("HEAD");
  for (const [method, handler] of Object.entries(handlers) as Array<[Method, RequestHandler | RequestHandler[]]>) {
    router[method](path, ...(Array.isArray(handler) ? handler : [handler]));
  }
  router.all(path, (req, _res, next) => {
    next(
      new AppError("method_not_allowed", `${req.method} is not allowed on ${req.path}; use ${allowed.join(", ")}`, undefined, {
        Allow: allowed.join(", "),
      }),
    );
  });
}
