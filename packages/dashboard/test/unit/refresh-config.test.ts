import { describe, expect, it } from "vitest";
import { REFRESH_INTERVAL_MS, resolveRefreshInterval } from "../../src/lib/refresh-config.js";

describe("the refresh interval", () => {
  it("when nothing overrides it, then the dashboard refreshes every 10 s", () => {
    expect(REFRESH_INTERVAL_MS).toBe(10_000);
    expect(resolveRefreshInterval("", undefined)).toBe(10_000);
  });

  it.each([
    ["the URL parameter", "?refresh=1500", undefined, 1500],
    ["the URL parameter over the build-time value", "?refresh=2000", "5000", 2000],
    ["the build-time VITE_REFRESH_MS", "", "5000", 5000],
    ["a URL parameter that is not a number, falling back to the build-time value", "?refresh=fast", "5000", 5000],
    ["a URL parameter below 250 ms, ignored", "?refresh=10", undefined, 10_000],
    ["a URL parameter above an hour, ignored", "?refresh=99999999", undefined, 10_000],
    ["a fractional value, ignored", "?refresh=1.5", "abc", 10_000],
    ["the lowest value allowed", "?window=1h&refresh=250", undefined, 250],
  ])("when given %s, then it is used as the rules say", (_what, search, env, expected) => {
    expect(resolveRefreshInterval(search, env)).toBe(expected);
  });
});
