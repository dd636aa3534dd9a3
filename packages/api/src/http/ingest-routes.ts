import { performance } from "node:perf_hooks";
import { IdempotencyKey, IngestRequest } from "@bridge/shared";
import { type RequestHandler, Router } from "express";
import type { Config } from "../config.js";
import type { IngestService } from "../ingest/ingest-service.js";
import type { CoreSyncLog } from "../logging/loggers.js";
import { type Auth, authState } from "./auth.js";
import { bodyEncoding, decodeBody } from "./content-encoding.js";
import type { Metrics } from "./metrics.js";
import { assertJsonContentType, measureJson, parseJson, readBody } from "./body-reader.js";
import { AppError, validationError } from "./problem.js";
import { route } from "./route-table.js";

interface IngestLocals {
  module: string | null;
  sessionId: string | null;
  eventId: string | null;
  bytes: number;
  outcome: "accepted" | "replayed" | "refused";
  errorCode?: string;
}

export interface IngestRouteDeps {
  config: Config;
  ingest: IngestService;
  coreSync: CoreSyncLog;
  metrics: Metrics;
  auth: Auth;
  /** Run after the log middleware, so what they refuse (429) still gets its core_sync.log line. */
  guards?: RequestHandler[];
}

/** POST /core/update: content type → read → parse → validate → ingest (one transaction) → 200. */
export function ingestRoutes({ config, ingest, coreSync, metrics, auth, guards = [] }: IngestRouteDeps): Router {
  const router = Router();
  /** Keys whose first request is still being read or stored: a second one gets 409. */
  const inFlight = new Set<string>();

  // One core_sync.log line per request to /core/update, accepted or refused, written when it ends.
  router.use("/core/update", (_req, res, next) => {
    const startedAt = performance.now();
    res.locals.startedAt = startedAt;
    const info: IngestLocals = { module: null, sessionId: null, eventId: null, bytes: 0, outcome: "refused" };
    res.locals.ingest = info;
    let logged = false;
    const log = (status: number) => {
      if (logged) return;
      logged = true;
      const outcome = status >= 200 && status < 300 ? info.outcome : "refused";
      if (outcome === "refused") info.errorCode = (res.locals.errorCode as string | undefined) ?? "client_closed";
      const keyId = authState(res).principal?.id;
      metrics.ingestOutcomes.inc({ outcome });
      coreSync.write(
        {
          message: outcome === "refused" ? `refused update (${status})` : `${outcome} update for module ${info.module}`,
          outcome,
          status,
          request_id: res.locals.requestId as string,
          module: info.module,
          session_id: info.sessionId,
          event_id: info.eventId,
          bytes: info.bytes,
          latency_ms: Math.round((performance.now() - startedAt) * 1000) / 1000,
          ...(info.errorCode && outcome === "refused" ? { error_code: info.errorCode } : {}),
          // a fingerprint of the key, never the key: tells which key wrote what, e.g. during rotation
          ...(keyId ? { key_id: keyId } : {}),
        },
        outcome === "refused" ? "warn" : "info",
      );
    };
    res.on("finish", () => log(res.statusCode));
    res.on("close", () => log(res.writableFinished ? res.statusCode : 0));
    next();
  });
  if (guards.length > 0) router.use("/core/update", ...guards);

  route(router, "/core/update", {
    post: async (req, res) => {
      const info = res.locals.ingest as IngestLocals;
      // 401 before a byte of the body is read: strangers cannot make the bridge buffer their bodies
      const principal = auth.requireWriter(res);
      assertJsonContentType(req);
      if ((req.headersDistinct["idempotency-key"]?.length ?? 0) > 1) {
        throw new AppError("validation_failed", "Send the Idempotency-Key header once", [
          { field: "header.idempotency-key", message: "was sent more than once" },
        ]);
      }
      const keyHeader = req.headers["idempotency-key"];
      let key: string | undefined;
      if (keyHeader !== undefined) {
        const parsed = IdempotencyKey.safeParse(keyHeader);
        if (!parsed.success) throw validationError(parsed.error, "validation_failed", "header.idempotency-key");
        key = parsed.data;
        if (inFlight.has(key)) {
          throw new AppError(
            "idempotency_in_flight",
            "A request with this Idempotency-Key is still being processed; retry shortly",
            [{ field: "header.idempotency-key", message: "is in flight" }],
            { "Retry-After": "1" },
          );
        }
        inFlight.add(key);
      }
      try {
        const raw = await decodeBody(
          await readBody(req, config.limits.bodyBytes),
          bodyEncoding(req.headers["content-encoding"]),
          config.limits.bodyBytes,
        );
        info.bytes = raw.length;
        const json = parseJson(raw);
        const parsed = IngestRequest.safeParse(json);
        if (!parsed.success) throw validationError(parsed.error, "validation_failed");
        info.module = parsed.data.module;
        info.sessionId = parsed.data.session_id ?? null;
        // the module is known only now; nothing has been stored yet
        auth.assertMayWrite(principal, parsed.data.module);
        const shape = measureJson(parsed.data.data, config.limits.jsonDepth);
        if (shape.depth > config.limits.jsonDepth) {
          throw new AppError("validation_failed", `Field 'data' is nested deeper than ${config.limits.jsonDepth} levels`, [
            { field: "data", message: `must be nested at most ${config.limits.jsonDepth} levels deep` },
          ]);
        }
        if (shape.nonFinite !== null) {
          throw new AppError(
            "validation_failed",
            `Field '${shape.nonFinite}' is a number too large to represent (it would read back as null)`,
            [{ field: shape.nonFinite, message: "must be a finite number (at most about 1.8e308)" }],
          );
        }
        if (shape.keys > config.limits.jsonKeys) {
          throw new AppError("validation_failed", `Field 'data' has more than ${config.limits.jsonKeys} keys`, [
            { field: "data", message: `must have at most ${config.limits.jsonKeys} keys in all` },
          ]);
        }
        const result = await ingest.ingest({
          request: parsed.data,
          rawBody: raw,
          startedAt: res.locals.startedAt as number,
          ...(key ? { idempotencyKey: key } : {}),
        });
        if (result.kind === "key_reused") {
          throw new AppError("idempotency_key_reused", "This Idempotency-Key was already used with a different body", [
            { field: "header.idempotency-key", message: "was used with a different body" },
          ]);
        }
        info.sessionId = result.response.session_id;
        info.eventId = result.response.event_id;
        info.outcome = result.kind === "created" ? "accepted" : "replayed";
        if (result.kind === "replayed") res.setHeader("Idempotent-Replayed", "true");
        res.status(200).json(result.response);
      } finally {
        if (key) inFlight.delete(key);
      }
    },
  });
  return router;
}
