import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { findRepoRoot } from "../src/paths.js";
import { startBridge, type TestBridge, tempRoot } from "./helpers.js";

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body>spa</body></html>';

/** A stand-in for `vite build` output: index.html, a hashed asset and a root file. */
function fakeDist(): string {
  const dir = join(tempRoot("dashboard-dist-"), "dist");
  mkdirSync(join(dir, "assets"), { recursive: true });
  writeFileSync(join(dir, "index.html"), INDEX);
  writeFileSync(join(dir, "assets", "index-abc123.js"), "console.log('dashboard');\n");
  writeFileSync(join(dir, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
  return dir;
}

describe("serving the built dashboard", () => {
  let bridge: TestBridge;
  beforeAll(async () => {
    bridge = await startBridge({ env: { DASHBOARD_DIR: fakeDist() } });
  });
  afterAll(() => bridge.close({ remove: true }));

  it("when / is requested, then index.html is served and must be revalidated", async () => {
    const res = await request(bridge.app).get("/").expect(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.text).toBe(INDEX);
  });

  it("when a hashed asset is requested, then it is served with a one-year immutable cache", async () => {
    const res = await request(bridge.app).get("/assets/index-abc123.js").expect(200);
    expect(res.headers["content-type"]).toMatch(/javascript/);
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
  });

  it("when a browser opens a client-side page, then it gets index.html", async () => {
    const res = await request(bridge.app).get("/events/some-page").set("Accept", "text/html,application/xhtml+xml").expect(200);
    expect(res.text).toBe(INDEX);
  });

  it("when an unknown api path is requested, even by a browser, then it answers a JSON problem, never the page", async () => {
    for (const path of ["/insight/nope", "/bucket/nope", "/core/nope", "/metrics/x"]) {
      const res = await request(bridge.app).get(path).set("Accept", "text/html").expect(404);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ code: "not_found", status: 404 });
    }
  });

  it("when the api routes are requested, then they still answer JSON", async () => {
    const res = await request(bridge.app).get("/bucket/status").set("Accept", "text/html").expect(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.body).toHaveProperty("total_sync_count", 0);
  });

  it("when a missing asset or a non-page path is requested, then it is a JSON 404, not index.html", async () => {
    const asset = await request(bridge.app).get("/assets/gone-123.js").set("Accept", "*/*").expect(404);
    expect(asset.body).toMatchObject({ code: "not_found" });
    const nonBrowser = await request(bridge.app).get("/some/page").set("Accept", "application/json").expect(404);
    expect(nonBrowser.body).toMatchObject({ code: "not_found" });
  });

  it("when a non-GET request reaches a dashboard path, then it is a JSON 404", async () => {
    const res = await request(bridge.app).post("/").set("Accept", "text/html").send("x").expect(404);
    expect(res.body).toMatchObject({ code: "not_found" });
  });
});

describe("DASHBOARD_DIR", () => {
  it("when it is unset, then the dashboard is looked for in packages/dashboard/dist of the repository, whatever BRIDGE_ROOT is", () => {
    const config = loadConfig({ BRIDGE_ROOT: tempRoot() });
    expect(config.dashboardDir).toBe(join(findRepoRoot() ?? "?", "packages", "dashboard", "dist"));
  });

  it("when it is relative, then it resolves from the repository root, not the cwd", () => {
    expect(loadConfig({ DASHBOARD_DIR: "build/web" }).dashboardDir).toBe(join(findRepoRoot() ?? "?", "build", "web"));
  });
});

describe("without a built dashboard", () => {
  let bridge: TestBridge;
  beforeAll(async () => {
    bridge = await startBridge({ env: { DASHBOARD_DIR: join(tempRoot("no-dashboard-"), "missing") } });
  });
  afterAll(() => bridge.close({ remove: true }));

  it("when / is requested, then the api answers a 404 problem that says how to build the dashboard", async () => {
    const res = await request(bridge.app).get("/").set("Accept", "text/html").expect(404);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe("not_found");
    expect(res.body.detail).toMatch(/pnpm build/);
    expect(res.headers["cache-control"]).toBeUndefined();
  });

  it("when the api is used, then it works as usual", async () => {
    await request(bridge.app).get("/healthz").expect(200);
  });
});
