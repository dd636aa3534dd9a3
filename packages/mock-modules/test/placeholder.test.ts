import { IngestRequest } from "@bridge/shared";
import { describe, expect, it } from "vitest";

describe("mock-modules wiring", () => {
  it("when the shared schema is imported, then it validates a seed-shaped body", () => {
    expect(IngestRequest.safeParse({ module: "education", data: {} }).success).toBe(true);
  });
});
