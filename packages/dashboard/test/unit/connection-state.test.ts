import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/api/api-error.js";
import { deriveConnection, type QueryFacts } from "../../src/lib/connection-state.js";

const ok = (at: number): QueryFacts => ({ data: {}, error: null, dataUpdatedAt: at, errorUpdatedAt: 0, isFetching: false });
const pending: QueryFacts = { data: undefined, error: null, dataUpdatedAt: 0, errorUpdatedAt: 0, isFetching: true };
const failed = (error: unknown, errorAt: number, dataAt = 0): QueryFacts => ({
  data: dataAt > 0 ? {} : undefined,
  error,
  dataUpdatedAt: dataAt,
  errorUpdatedAt: errorAt,
  isFetching: false,
});
const down = new ApiError("unreachable", "The api did not answer (fetch failed)");
const noKey = new ApiError("unauthenticated", "An API key is required", 401);
const badKey = new ApiError("forbidden", "This key may not read", 403);
const odd = new ApiError("invalid_response", "/bucket/status answered an unexpected shape: total_sync_count: expected number");

describe("deriveConnection", () => {
  it.each([
    { name: "nothing has answered yet", queries: [pending, pending, pending], expected: { kind: "loading" } },
    { name: "one query is still loading", queries: [ok(100), pending, ok(120)], expected: { kind: "loading" } },
    { name: "all answered", queries: [ok(100), ok(90), ok(120)], expected: { kind: "ok", updatedAt: 90 } },
    {
      name: "the api stops answering after data came",
      queries: [failed(down, 200, 100), failed(down, 210, 110), ok(120)],
      expected: { kind: "unreachable", lastDataAt: 100, message: down.message },
    },
    {
      name: "the api never answered",
      queries: [failed(down, 200), failed(down, 200), failed(down, 200)],
      expected: { kind: "unreachable", lastDataAt: null, message: down.message },
    },
    {
      name: "an old error was followed by a success",
      queries: [failed(down, 100, 150), ok(150), ok(150)],
      expected: { kind: "ok", updatedAt: 150 },
    },
    {
      name: "the api asks for a read key",
      queries: [failed(noKey, 100), failed(noKey, 100), failed(down, 100)],
      expected: { kind: "needs_key", forbidden: false, message: noKey.message, errorAt: 100 },
    },
    {
      name: "the key may not read",
      queries: [failed(badKey, 130), ok(90), failed(badKey, 120)],
      expected: { kind: "needs_key", forbidden: true, message: badKey.message, errorAt: 130 },
    },
    {
      name: "the api answers a shape this dashboard does not know",
      queries: [failed(odd, 100, 50), ok(90), ok(90)],
      expected: { kind: "error", message: odd.message, lastDataAt: 50 },
    },
  ])("when $name, then the state is $expected.kind", ({ queries, expected }) => {
    expect(deriveConnection(queries)).toEqual(expected);
  });
});
