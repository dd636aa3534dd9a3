import { IngestRequest } from "@bridge/shared";
import { describe, expect, it } from "vitest";
import { DEFAULT_MODULES, UpdateFeed } from "../src/generators/index.js";
import { createRandom } from "../src/random.js";

const NOW = new Date("2026-03-01T12:00:00.000Z");
const MODULES = [...DEFAULT_MODULES, "hr", "inventory.v2", "Sensors_1"];

function updates(seed: number, module: string, n: number) {
  const feed = new UpdateFeed(seed, "session-1");
  return Array.from({ length: n }, () => feed.next(module, NOW));
}

describe("generators", () => {
  it.each(MODULES)("when %s makes 300 updates, then every body passes the shared ingest schema and survives JSON", (module) => {
    for (const seed of [1, 42, 4_000_000_000]) {
      for (const update of updates(seed, module, 300)) {
        const parsed = IngestRequest.safeParse(update);
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
        // no undefined, NaN or Infinity that JSON would drop or turn into null
        expect(JSON.parse(JSON.stringify(update))).toEqual(update);
      }
    }
  });

  it("when two feeds share a seed, then they make the same data for every module", () => {
    for (const module of MODULES) expect(updates(7, module, 50)).toEqual(updates(7, module, 50));
  });

  it("when the seeds differ, then the data differs", () => {
    for (const module of MODULES) expect(updates(7, module, 5)).not.toEqual(updates(8, module, 5));
  });

  it("when another module joins a run, then a module's data does not change", () => {
    const alone = new UpdateFeed(3, "s");
    const together = new UpdateFeed(3, "s");
    const a = [alone.next("finance", NOW), alone.next("finance", NOW)];
    const b = [
      together.next("education", NOW),
      together.next("finance", NOW),
      together.next("creative", NOW),
      together.next("finance", NOW),
    ];
    expect([b[1], b[3]]).toEqual(a);
  });

  it("when seed 42 makes its first education update, then it is the one recorded here (reproducible across versions)", () => {
    const [first] = updates(42, "education", 1);
    expect(first).toMatchInlineSnapshot(`
      {
        "data": {
          "activity": "exercise",
          "completed": false,
          "course": {
            "id": "math-201",
            "title": "Calculus",
          },
          "learner_id": "learner-0040",
          "lesson": 20,
          "progress_percent": 63,
          "recorded_at": "2026-03-01T11:59:18.000Z",
          "time_spent_seconds": 528,
        },
        "module": "education",
        "session_id": "session-1",
      }
    `);
  });

  it("when many updates are made, then each module's fields are realistic", () => {
    for (const { data } of updates(11, "education", 500)) {
      expect(data.time_spent_seconds).toBeGreaterThanOrEqual(120);
      expect(data.lesson).toBeGreaterThanOrEqual(1);
      if ("score" in data) {
        expect(data.score as number).toBeGreaterThanOrEqual(0.4);
        expect(data.score as number).toBeLessThanOrEqual(1);
      }
    }
    const currencies = new Set<string>();
    for (const { data } of updates(11, "finance", 500)) {
      expect(Number.isInteger(data.amount_minor)).toBe(true);
      expect(data.amount_minor).toBeGreaterThan(0);
      expect(data.currency).toMatch(/^[A-Z]{3}$/);
      currencies.add(data.currency as string);
    }
    expect(currencies.size).toBeGreaterThanOrEqual(4);
    const kinds = new Set<string>();
    for (const { data } of updates(11, "creative", 500)) {
      kinds.add(data.kind as string);
      expect(Number.isInteger(data.size_bytes)).toBe(true);
      expect((data.tags as string[]).length).toBeGreaterThanOrEqual(1);
      if (data.kind === "image" || data.kind === "video") {
        const d = data.dimensions as { width: number; height: number };
        expect(d.width).toBeGreaterThan(0);
        expect(d.height).toBeGreaterThan(0);
      }
    }
    expect(kinds).toEqual(new Set(["image", "video", "audio", "document", "vector"]));
  });

  it("when the random source draws many integers, then it stays in range and reaches both ends", () => {
    const rng = createRandom(99);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = rng.int(1, 6);
      expect(v).toBeGreaterThanOrEqual(1);
      expect(v).toBeLessThanOrEqual(6);
      seen.add(v);
    }
    expect(seen.size).toBe(6);
  });
});
