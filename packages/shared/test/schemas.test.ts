import { describe, expect, it } from "vitest";
import { EventsQuery, IngestRequest, IngestResponse, ModuleName, ProblemDetails, SessionId, ingestMessage } from "../src/index.js";

describe("IngestRequest", () => {
  it("when given the seed's example body, then it parses", () => {
    const r = IngestRequest.safeParse({ module: "education", data: { lesson: 3 }, session_id: "abc" });
    expect(r.success).toBe(true);
  });

  it.each([
    ["", false],
    ["a", true],
    ["education", true],
    ["fin.ance-2_x", true],
    ["-leading-dash", false],
    [".hidden", false],
    ["has space", false],
    ["x".repeat(64), true],
    ["x".repeat(65), false],
    ["ünïcode", false],
  ])("when the module is %j, then valid is %s", (module, valid) => {
    expect(ModuleName.safeParse(module).success).toBe(valid);
  });

  it.each([[null], [[]], ["text"], [42], [true]])("when data is %j, then it is refused as not an object", (data) => {
    const r = IngestRequest.safeParse({ module: "m", data });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["data"]);
  });

  it("when data holds a __proto__ key, then the parsed object keeps it as plain data", () => {
    const raw = JSON.parse('{"module":"m","data":{"__proto__":{"polluted":true},"a":1}}');
    const r = IngestRequest.parse(raw);
    expect(Object.keys(r.data)).toContain("__proto__");
    expect(Object.getPrototypeOf(r.data)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("when an unknown top-level field is sent, then it is refused rather than dropped", () => {
    const r = IngestRequest.safeParse({ module: "m", data: {}, extra: 1 });
    expect(r.success).toBe(false);
  });

  it.each([
    ["ok-session", true],
    ["", false],
    ["x".repeat(128), true],
    ["x".repeat(129), false],
    ["line\nbreak", false],
    ["tab\there", false],
    ["zero\u200bwidth", false],
  ])("when session_id is %j, then valid is %s", (sid, valid) => {
    expect(SessionId.safeParse(sid).success).toBe(valid);
  });
});

describe("IngestResponse", () => {
  it("when built like the seed's reply, then it parses and keeps the seed's message", () => {
    const body = {
      status: "success",
      timestamp: "2025-10-16T10:20:00Z",
      session_id: "s",
      message: ingestMessage("education"),
      event_id: "e",
    };
    expect(IngestResponse.parse(body).message).toBe("Data received and logged for module education");
  });

  it("when the timestamp carries an offset instead of Z, then it is refused", () => {
    expect(
      IngestResponse.safeParse({ status: "success", timestamp: "2025-10-16T10:20:00+02:00", session_id: "s", message: "m", event_id: "e" })
        .success,
    ).toBe(false);
  });
});

describe("EventsQuery", () => {
  it("when no parameters are given, then the limit defaults to 50", () => {
    expect(EventsQuery.parse({}).limit).toBe(50);
  });
  it.each([["0"], ["501"], ["abc"], ["1.5"]])("when limit is %j, then it is refused", (limit) => {
    expect(EventsQuery.safeParse({ limit }).success).toBe(false);
  });
  it("when since is after until, then it is refused naming since", () => {
    const r = EventsQuery.safeParse({ since: "2025-01-02T00:00:00Z", until: "2025-01-01T00:00:00Z" });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["since"]);
  });
});

describe("ProblemDetails", () => {
  it("when the code is not one of the closed set, then it is refused", () => {
    expect(ProblemDetails.safeParse({ type: "t", title: "t", status: 400, detail: "d", code: "oops" }).success).toBe(false);
  });
});
