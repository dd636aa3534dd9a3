import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import winston from "winston";
import { describe, expect, it } from "vitest";
import { RotatingFileTransport } from "../src/logging/rotating-file-transport.js";
import { tempRoot } from "./helpers.js";

const logger = (dir: string, maxSize: number, maxFiles: number) =>
  winston.createLogger({
    format: winston.format.json(),
    transports: [new RotatingFileTransport({ filename: join(dir, "core_sync.log"), maxSize, maxFiles })],
  });

describe("RotatingFileTransport", () => {
  it("when 500 lines arrive in one burst across many rotations, then every line is on disk, in order", () => {
    const dir = tempRoot("bridge-rot-");
    const log = logger(dir, 4096, 1000);
    for (let i = 0; i < 500; i++) log.info("line", { i, pad: "x".repeat(100) });
    const files = readdirSync(dir);
    // the live file, then core_sync1.log (newest rotated) … core_syncN.log (oldest)
    const ordered = [
      "core_sync.log",
      ...files.filter((f) => f !== "core_sync.log").sort((a, b) => Number(a.match(/\d+/)?.[0]) - Number(b.match(/\d+/)?.[0])),
    ].reverse();
    const seen = ordered.flatMap((f) =>
      readFileSync(join(dir, f), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { i: number }).i),
    );
    expect(files.length).toBeGreaterThan(5);
    expect(seen).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it("when the cap is reached, then only maxFiles files remain and each stays under maxSize", () => {
    const dir = tempRoot("bridge-rot-");
    const log = logger(dir, 1024, 3);
    for (let i = 0; i < 300; i++) log.info("line", { i });
    expect(readdirSync(dir).sort()).toEqual(["core_sync.log", "core_sync1.log", "core_sync2.log"]);
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f)).length).toBeLessThanOrEqual(1024);
    const newest = readFileSync(join(dir, "core_sync.log"), "utf8").trim().split("\n").at(-1) ?? "{}";
    expect((JSON.parse(newest) as { i: number }).i).toBe(299);
  });

  it("when reopened on an existing file, then it appends and counts the existing size", () => {
    const dir = tempRoot("bridge-rot-");
    logger(dir, 10_000, 2).info("first");
    logger(dir, 10_000, 2).info("second");
    const lines = readFileSync(join(dir, "core_sync.log"), "utf8").trim().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { message: string }).message)).toEqual(["first", "second"]);
  });
});
