import type { JsonObject } from "@bridge/shared";
import type { Random } from "../random.js";

/** What a generator may depend on besides its random source: passing the time in keeps it pure. */
export interface GeneratorContext {
  /** The moment the update is made; payload timestamps derive from it. */
  now: Date;
  /** 1 for a module's first update in a run, then 2, 3, ... */
  sequence: number;
}

/** A pure function from (random source, context) to one update's `data`. */
export type Generator = (rng: Random, ctx: GeneratorContext) => JsonObject;

/** A time shortly before `now` (an event is reported a little after it happened). */
export function recentIso(rng: Random, now: Date, maxSecondsAgo: number): string {
  return new Date(now.getTime() - rng.int(0, maxSecondsAgo) * 1000).toISOString();
}

export function padded(n: number, width: number): string {
  return String(n).padStart(width, "0");
}
