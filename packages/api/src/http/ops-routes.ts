import { access, constants, mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import type { ReadyResponse } from "@bridge/shared";
import { Router } from "express";
import type { Config } from "../config.js";
import type { EventStore } from "../storage/event-store.js";
import type { Metrics } from "./metrics.js";
import { buildOpenApi } from "./openapi.js";
import { route } from "./route-table.js";

async function fileWritable(file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  try {
    await access(file, constants.W_OK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    await (await open(file, "a")).close();
  }
}

/** GET /healthz, /readyz, /metrics, /openapi.json. */
export function opsRoutes({ config, store, metrics }: { config: Config; store: EventStore; metrics: Metrics }): Router {
  const router = Router();
  const startedAt = Date.now();
  let openapi: unknown;

  route(router, "/healthz", {
    get: (_req, res) => {
      res.json({ status: "ok", uptime_seconds: Math.round((Date.now() - startedAt) / 1000) });
    },
  });

  route(router, "/readyz", {
    get: async (_req, res) => {
      const checks: ReadyResponse["checks"] = {};
      const run = async (name: string, fn: () => Promise<void>) => {
        try {
          await fn();
          checks[name] = { ok: true };
        } catch (err) {
          checks[name] = { ok: false, detail: (err as Error).message.split("\n")[0]?.slice(0, 200) ?? "failed" };
        }
      };
      await run("storage", () => store.checkWritable());
      await run("core_sync_log", () => fileWritable(config.log.coreSyncFile));
      await run("flow_log", () => fileWritable(config.log.flowFile));
      const ready = Object.values(checks).every((c) => c.ok);
      const body: ReadyResponse = { status: ready ? "ready" : "not_ready", checks };
      if (!ready) res.setHeader("Retry-After", "5");
      res.status(ready ? 200 : 503).json(body);
    },
  });

  route(router, "/metrics", {
    get: async (_req, res) => {
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    },
  });

  route(router, "/openapi.json", {
    get: (_req, res) => {
      openapi ??= buildOpenApi();
      res.json(openapi);
    },
  });
  return router;
}
