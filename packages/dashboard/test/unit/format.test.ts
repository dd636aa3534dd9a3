import { describe, expect, it } from "vitest";
import {
  formatAbsolute,
  formatBytes,
  formatClock,
  formatCount,
  formatDuration,
  formatLatency,
  formatRate,
  formatRelative,
  shortId,
} from "../../src/lib/format.js";

const NOW = Date.parse("2026-12-03T14:52:05.000Z");

describe("formatRelative", () => {
  it.each([
    ["the same instant", NOW, "just now"],
    ["a time in the future (clock skew)", NOW + 5000, "just now"],
    ["999 ms before", NOW - 999, "just now"],
    ["1 s before", NOW - 1000, "1 s ago"],
    ["59.9 s before", NOW - 59_900, "59 s ago"],
    ["60 s before", NOW - 60_000, "1 min ago"],
    ["2 min 30 s before", NOW - 150_000, "2 min ago"],
    ["59 min before", NOW - 59 * 60_000, "59 min ago"],
    ["1 h before", NOW - 3600_000, "1 h ago"],
    ["47 h before", NOW - 47 * 3600_000, "47 h ago"],
    ["3 days before", NOW - 72 * 3600_000, "3 d ago"],
  ])("when the time is %s (%i), then it reads %j", (_what, then, expected) => {
    expect(formatRelative(then, NOW)).toBe(expected);
  });
});

describe("formatLatency", () => {
  it.each([
    [null, "—"],
    [undefined, "—"],
    [Number.NaN, "—"],
    [0, "0 ms"],
    [0.42, "0.42 ms"],
    [1.068, "1.07 ms"],
    [5, "5 ms"],
    [12.34, "12.3 ms"],
    [99.96, "100 ms"],
    [250.4, "250 ms"],
    [1000, "1 s"],
    [1250, "1.25 s"],
    [4096, "4.1 s"],
  ])("when the latency is %s ms, then it reads %j", (ms, expected) => {
    expect(formatLatency(ms)).toBe(expected);
  });
});

describe("formatBytes", () => {
  it.each([
    [null, "—"],
    [0, "0 B"],
    [37, "37 B"],
    [1023, "1023 B"],
    [1024, "1 KiB"],
    [1536, "1.5 KiB"],
    [1024 * 1024, "1 MiB"],
    [5.25 * 1024 * 1024, "5.3 MiB"],
    [3 * 1024 ** 3, "3 GiB"],
  ])("when the size is %s bytes, then it reads %j", (n, expected) => {
    expect(formatBytes(n)).toBe(expected);
  });
});

describe("formatCount and formatDuration", () => {
  it.each([
    [null, "—"],
    [0, "0"],
    [1234, "1,234"],
    [10_000_000, "10,000,000"],
  ])("when the count is %s, then it reads %j", (n, expected) => {
    expect(formatCount(n)).toBe(expected);
  });

  it.each([
    [-5, "0 s"],
    [999, "0 s"],
    [34_000, "34 s"],
    [60_000, "1 min"],
    [125_000, "2 min 5 s"],
    [3600_000, "1 h"],
    [3780_000, "1 h 3 min"],
    [10_000, "10 s"],
  ])("when the duration is %s ms, then it reads %j", (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe("absolute times in the viewer's zone", () => {
  it.each([
    ["UTC", "2026-12-03 14:52:05 UTC", "14:52:05"],
    ["Europe/Berlin", "2026-12-03 15:52:05 CET", "15:52:05"],
    ["America/New_York", "2026-12-03 09:52:05 GMT-5", "09:52:05"],
    ["Asia/Kolkata", "2026-12-03 20:22:05 GMT+5:30", "20:22:05"],
  ])("when the zone is %s, then the time is shown there with the zone named", (zone, absolute, clock) => {
    expect(formatAbsolute("2026-12-03T14:52:05.000Z", zone)).toBe(absolute);
    expect(formatClock(NOW, zone)).toBe(clock);
  });

  it("when the time cannot be read, then a dash is shown", () => {
    expect(formatAbsolute("not a time", "UTC")).toBe("—");
    expect(formatClock("nope", "UTC")).toBe("—");
  });

  it("when minutes only are asked for, then the seconds are left out", () => {
    expect(formatClock(NOW, "UTC", false)).toBe("14:52");
  });
});

describe("shortId", () => {
  it.each([
    ["short", 8, "short"],
    ["123456789", 8, "123456789"],
    ["58c47d49-6eb2-4ef5-930c-d0cea191a3ed", 8, "58c47d49…"],
  ])("when %j is shortened to %i, then it reads %j", (id, keep, expected) => {
    expect(shortId(id, keep)).toBe(expected);
  });
});

describe("formatRate", () => {
  it.each([
    [0, "0"],
    [2, "2"],
    [1.5, "1.5"],
    [0.07, "0.07"],
    [0.0667, "0.07"],
    [2.25, "2.25"],
    [1234, "1,234"],
    [null, "—"],
  ])("when the rate is %s per minute, then it reads %s", (n, expected) => {
    expect(formatRate(n)).toBe(expected);
  });
});
