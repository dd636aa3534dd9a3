import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";
import { findRepoRoot } from "../src/paths.js";
import { runApiToExit } from "./child.js";

describe("configuration", () => {
  it("when nothing is set, then the defaults are port 8000 on loopback with data and logs under the repository root", () => {
    const c = loadConfig({});
    const root = findRepoRoot() as string;
    expect(c).toMatchObject({ port: 8000, host: "127.0.0.1", root, bucketUrl: null });
    expect(c.databasePath).toBe(join(root, "data", "bridge.db"));
    expect(c.log.coreSyncFile).toBe(join(root, "logs", "core_sync.log"));
    expect(c.log.flowFile).toBe(join(root, "insight", "flow.log"));
    expect(c.limits.bodyBytes).toBe(1024 * 1024);
  });

  it("when values carry units or paths, then they are resolved", () => {
    const c = loadConfig({ BRIDGE_ROOT: "/tmp/x", DATABASE_URL: "sqlite:db/b.db", BODY_LIMIT: "512kb", LOG_MAX_SIZE: "2mb" });
    expect(c.databasePath).toBe("/tmp/x/db/b.db");
    expect(c.limits.bodyBytes).toBe(512 * 1024);
    expect(c.log.maxSize).toBe(2 * 1024 * 1024);
  });

  it("when several values are wrong, then one error names every wrong variable", () => {
    let err: unknown;
    try {
      loadConfig({ PORT: "eighty", LOG_LEVEL: "loud", BUCKET_URL: "ftp://x", BODY_LIMIT: "huge" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    for (const v of ["PORT", "LOG_LEVEL", "BUCKET_URL", "BODY_LIMIT"]) expect(msg).toContain(v);
  });

  it("when the api starts with an invalid variable, then it exits 2 naming it and pointing at .env.example", async () => {
    const { code, output } = await runApiToExit({ PORT: "-1", MAX_JSON_DEPTH: "x" });
    expect(code).toBe(2);
    expect(output).toContain("PORT");
    expect(output).toContain("MAX_JSON_DEPTH");
    expect(output).toContain(".env.example");
  });
});
