import { ReplayRequest } from "@bridge/shared";
import { type RequestHandler, Router } from "express";
import type { Clock } from "../clock.js";
import { createReplayService } from "../delivery/replay-service.js";
import type { Loggers } from "../logging/loggers.js";
import type { EventStore } from "../storage/event-store.js";
import { assertJsonContentType, parseJson, readBody } from "./body-reader.js";
import type { Metrics } from "./metrics.js";
import { validationError } from "./problem.js";
import { route } from "./route-table.js";

/** Replay bodies are a selector and at most 1000 ids: 64 KiB is ample. */
const REPLAY_BODY_LIMIT = 64 * 1024;

export interface OperationsRouteDeps {
  store: EventStore;
  loggers: Loggers;
  clock: Clock;
  metrics: Metrics;
  /** Run before every operations handler: the admin-scope check goes here (app.ts passes it). */
  guards?: RequestHandler[];
}

/** POST /bucket/replay: parse → (guards) → re-queue dead letters → { queued }. */
export function operationsRoutes({ store, loggers, clock, metrics, guards = [] }: OperationsRouteDeps): Router {
  const router = Router();
  const replay = createReplayService({ store, flow: loggers.flow, clock, metrics: metrics.delivery });

  route(router, "/bucket/replay", {
    post: [
      ...guards,
      async (req, res) => {
        assertJsonContentType(req);
        const parsed = ReplayRequest.safeParse(parseJson(await readBody(req, REPLAY_BODY_LIMIT)));
        if (!parsed.success) throw validationError(parsed.error, "validation_failed");
        res.json(await replay.replay(parsed.data));
      },
    ],
  });
  return router;
}
