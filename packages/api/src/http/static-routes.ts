import { join } from "node:path";
import express, { type Request, Router } from "express";
import { AppError } from "./problem.js";

/**
 * Path prefixes the api owns. A request under one of them always gets the api's answer (a JSON
 * problem when nothing matches), never the dashboard's index.html, even from a browser.
 */
export const API_PREFIXES = ["/core", "/bucket", "/insight", "/healthz", "/readyz", "/metrics", "/openapi.json", "/admin", "/ops"] as const;

/** Vite names built assets `name-<hash>.ext`: a changed file gets a new name, so it may be cached for a year. */
const HASHED_ASSETS = "public, max-age=31536000, immutable";
/** index.html names the current hashes: revalidate it on every load so a new build shows at once. */
const NO_CACHE = "no-cache";

const isApiPath = (path: string) => API_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`) || path.startsWith(`${p}.`));

/** A page load by a browser: GET or HEAD that asks for HTML, on a path without a file extension. */
function wantsSpaPage(req: Request): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  if (isApiPath(req.path)) return false;
  const last = req.path.split("/").pop() ?? "";
  if (last.includes(".")) return false;
  return req.path === "/" || (req.headers.accept ?? "").includes("text/html");
}

/**
 * Serve the built dashboard (`pnpm build` → packages/dashboard/dist) from `dir`: hashed assets with a
 * long cache, and index.html for `/` and for any other page a browser asks for (client-side routes).
 * Mounted after every api route and before the 404 handler. When the folder is missing the api runs
 * as usual and `/` answers a 404 problem saying how to build the dashboard.
 */
export function staticRoutes({ dir }: { dir: string }): Router {
  const router = Router();
  const index = join(dir, "index.html");

  router.use(
    "/assets",
    express.static(join(dir, "assets"), {
      index: false,
      redirect: false,
      fallthrough: true,
      setHeaders: (res) => res.setHeader("Cache-Control", HASHED_ASSETS),
    }),
  );
  router.use((req, res, next) => {
    if (isApiPath(req.path)) return next();
    express.static(dir, { index: false, redirect: false, fallthrough: true, dotfiles: "ignore" })(req, res, next);
  });
  router.use((req, res, next) => {
    if (!wantsSpaPage(req)) return next();
    res.setHeader("Cache-Control", NO_CACHE);
    res.sendFile(index, (err) => {
      if (!err) return;
      if (res.headersSent) return next(err);
      res.removeHeader("Cache-Control");
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") {
        return next(new AppError("not_found", "The dashboard is not built: run `pnpm build` (or set DASHBOARD_DIR to a built dashboard)"));
      }
      next(err);
    });
  });
  return router;
}
