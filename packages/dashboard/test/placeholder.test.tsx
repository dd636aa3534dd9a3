import { StatusResponse } from "@bridge/shared";
import { describe, expect, it } from "vitest";

describe("dashboard wiring", () => {
  it("when the shared status schema is imported, then it rejects a body without counts", () => {
    expect(StatusResponse.safeParse({ last_sync_time: null }).success).toBe(false);
  });
});
