import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AutomationReport, REPORT_FILE_PATTERN, reportFailures } from "@bridge/shared";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../src/automation/check-cli.js";
import { closedPort, type RunningBridge, startBridge, startStaleBridge, tempDir } from "./automation-bridge.js";

const KEY = "automation-check-key-0123456789abcdef";
const OTHER_KEY = "somebody-elses-key-0123456789abcdef00";

interface Run {
  code: number;
  out: string[];
  err: string[];
  reports: AutomationReport[];
  files: string[];
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function bridge(env: Record<string, string> = {}): Promise<RunningBridge> {
  const b = await startBridge(env);
  cleanups.push(() => b.close());
  return b;
}

/** Run the CLI as `pnpm automation:check` would, with its reports going to a fresh folder. */
async function check(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const dir = tempDir("automation-reports-");
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...args, "--reports-dir", dir], { out: (l) => out.push(l), err: (l) => err.push(l), env });
  const files = readdirSync(dir);
  const reports = files.map((f) => AutomationReport.parse(JSON.parse(readFileSync(join(dir, f), "utf8"))));
  return { code, out, err, reports, files };
}

async function status(url: string, key?: string): Promise<{ module_sync_counts: Record<string, number> }> {
  const res = await fetch(`${url}/bucket/status`, key ? { headers: { authorization: `Bearer ${key}` } } : {});
  return (await res.json()) as { module_sync_counts: Record<string, number> };
}

describe("pnpm automation:check against a real bridge", () => {
  it("when the bridge is up, then it exits 0 and writes one passing report that the bridge counted", async () => {
    const b = await bridge();
    const run = await check(["--url", b.url]);

    expect(run.code).toBe(0);
    expect(run.files).toHaveLength(1);
    expect(run.files[0]).toMatch(REPORT_FILE_PATTERN);
    const [r] = run.reports;
    expect(r?.pass).toBe(true);
    expect(r?.failures).toEqual([]);
    expect(r?.runner).toBe("cli");
    expect(r?.used_api_key).toBe(false);
    expect(r?.steps.map((s) => [s.step, s.method, s.url, s.http_status])).toEqual([
      ["status_before", "GET", `${b.url}/bucket/status`, 200],
      ["post_update", "POST", `${b.url}/core/update`, 200],
      ["status_after", "GET", `${b.url}/bucket/status`, 200],
    ]);
    expect(r?.counts).toEqual({ before: 0, after: 1 });
    expect(r?.sent.module).toBe("automation");
    expect(run.out.some((l) => l.startsWith("PASS"))).toBe(true);
    // the check wrote as its own module only
    expect((await status(b.url)).module_sync_counts).toEqual({ automation: 1 });
  });

  it("when run twice, then each run counts its own update and the second sees 1 → 2", async () => {
    const b = await bridge();
    await check(["--url", b.url]);
    const second = await check(["--url", b.url]);
    expect(second.code).toBe(0);
    expect(second.reports[0]?.counts).toEqual({ before: 1, after: 2 });
  });

  it("when the bridge is down, then it exits 1 and the report says that no call was answered", async () => {
    const port = await closedPort();
    const run = await check(["--url", `http://127.0.0.1:${port}`, "--timeout-ms", "3000"]);

    expect(run.code).toBe(1);
    const [r] = run.reports;
    expect(r?.pass).toBe(false);
    expect(r?.steps.map((s) => s.http_status)).toEqual([null, null, null]);
    expect(r?.steps[0]?.error).toMatch(/ECONNREFUSED/);
    expect(r?.failures).toEqual([
      expect.stringMatching(/^GET \/bucket\/status \(before\) did not answer: .*ECONNREFUSED/),
      expect.stringMatching(/^POST \/core\/update did not answer: .*ECONNREFUSED/),
      expect.stringMatching(/^GET \/bucket\/status \(after\) did not answer: .*ECONNREFUSED/),
    ]);
    expect(run.out.filter((l) => l.startsWith("FAIL"))).toHaveLength(3);
    expect(run.err).toEqual([expect.stringMatching(/^automation check failed: 3 problem\(s\), see /)]);
  });

  it("when keys are configured and the key is wrong, then the POST is refused with 401, nothing is counted and it exits 1", async () => {
    const b = await bridge({ BRIDGE_API_KEYS: `${KEY}:automation` });
    const run = await check(["--url", b.url, "--key", OTHER_KEY]);

    expect(run.code).toBe(1);
    const [r] = run.reports;
    expect(r?.used_api_key).toBe(true);
    expect(r?.steps[1]?.http_status).toBe(401);
    expect(r?.failures).toEqual(["POST /core/update answered 401, expected 2xx"]);
    expect((await status(b.url)).module_sync_counts).toEqual({});
    // the key never lands in a report
    expect(JSON.stringify(r)).not.toContain(OTHER_KEY);
  });

  it("when keys are configured and no key is given, then the POST is refused with 401", async () => {
    const b = await bridge({ BRIDGE_API_KEYS: `${KEY}:automation` });
    const run = await check(["--url", b.url]);
    expect(run.code).toBe(1);
    expect(run.reports[0]?.failures).toEqual(["POST /core/update answered 401, expected 2xx"]);
  });

  it("when the key's scope covers automation and reads, then the check passes with the key from BRIDGE_API_KEY", async () => {
    const b = await bridge({ BRIDGE_API_KEYS: `${KEY}:automation|read`, BRIDGE_READ_KEYS: "unused-read-key-0123456789abcdef0123" });
    const run = await check(["--url", b.url], { BRIDGE_API_KEY: KEY });

    expect(run.code).toBe(0);
    expect(run.reports[0]?.used_api_key).toBe(true);
    expect(run.reports[0]?.counts).toEqual({ before: 0, after: 1 });
    expect(JSON.stringify(run.reports[0])).not.toContain(KEY);
  });

  it("when the key may write automation but reads are protected, then both status reads are refused with 403 and the run fails", async () => {
    const b = await bridge({ BRIDGE_API_KEYS: `${KEY}:automation`, BRIDGE_READ_KEYS: "a-read-key-0123456789abcdef0123456789" });
    const run = await check(["--url", b.url, "--key", KEY]);
    expect(run.code).toBe(1);
    expect(run.reports[0]?.failures).toEqual([
      "GET /bucket/status (before) answered 403, expected 2xx",
      "GET /bucket/status (after) answered 403, expected 2xx",
    ]);
  });

  it("when the update is acknowledged but the status does not move, then the check fails as not counted", async () => {
    const stale = await startStaleBridge();
    cleanups.push(() => stale.close());
    const run = await check(["--url", stale.url]);
    expect(run.code).toBe(1);
    expect(run.reports[0]?.failures).toEqual(["the test update was not counted: module_sync_counts.automation went from 3 to 3"]);
  });
});

describe("pnpm automation:check options", () => {
  it("when --help is given, then it prints the usage and exits 0 without calling anything", async () => {
    const out: string[] = [];
    const code = await main(["--help"], { out: (l) => out.push(l), err: () => {}, env: {} });
    expect(code).toBe(0);
    expect(out.join("\n")).toMatch(/--url URL[\s\S]*--key KEY[\s\S]*--reports-dir DIR/);
  });

  it.each([
    [["--bogus"], /Unknown option '--bogus'/],
    [["--url", "ftp://example"], /--url must be an http\(s\) URL/],
    [["--timeout-ms", "soon"], /--timeout-ms must be a positive integer/],
  ])("when given %j, then it exits 2 naming the problem", async (args, message) => {
    const err: string[] = [];
    const code = await main(args, { out: () => {}, err: (l) => err.push(l), env: {} });
    expect(code).toBe(2);
    expect(err.join("\n")).toMatch(message);
  });

  it("when the reports folder cannot be created, then it exits 2 and says so", async () => {
    const b = await bridge();
    const dir = tempDir("automation-blocked-");
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const blocked = join(dir, "not-a-folder");
    writeFileSync(blocked, "a file where the folder should be");
    const err: string[] = [];
    const code = await main(["--url", b.url, "--reports-dir", join(blocked, "reports")], {
      out: () => {},
      err: (l) => err.push(l),
      env: {},
    });
    expect(code).toBe(2);
    expect(err.join("\n")).toMatch(/could not write the report/);
  });
});

describe("reportFailures", () => {
  it("when given the CLI's own passing report, then it finds nothing, and the schema refuses pass with failures", async () => {
    const b = await bridge();
    const run = await check(["--url", b.url]);
    const r = run.reports[0] as AutomationReport;
    expect(reportFailures(r)).toEqual([]);
    expect(AutomationReport.safeParse({ ...r, failures: ["x"] }).success).toBe(false);
  });
});
