import { EventsPage } from "@bridge/shared";
import { afterEach, describe, expect, it } from "vitest";
import { type MockBucket, startMockBucket } from "../src/bucket/bucket-server.js";
import { eventually, freePort, killRunning, runCli, startBridge, type TestBridge } from "./emitter-helpers.js";

const bridges: TestBridge[] = [];
async function bridge(opts: Parameters<typeof startBridge>[0] = {}): Promise<TestBridge> {
  const b = await startBridge(opts);
  bridges.push(b);
  return b;
}
const failing: MockBucket[] = [];
/** A server that answers 503 (the mock Bucket, whose request log records each Idempotency-Key), as a bridge in trouble. */
async function failingBridge(): Promise<MockBucket> {
  const b = await startMockBucket({ failRate: 1 });
  failing.push(b);
  return b;
}
afterEach(async () => {
  killRunning();
  await Promise.all([...bridges.splice(0).map((b) => b.close()), ...failing.splice(0).map((b) => b.close())]);
});

const KEY = "mock-test-key-0123456789abcdef";

// each case starts the CLI from source (tsx), 1-3 s on a busy 2-core machine
describe("pnpm mock (the emitter CLI, as a child process against a real bridge)", { timeout: 30_000 }, () => {
  it("when run with --count 2, then six updates arrive, are counted per module under one session, and it exits 0", async () => {
    const b = await bridge();
    const cli = runCli(["--url", b.url, "--count", "2", "--interval", "200ms", "--seed", "5"]);
    expect(await cli.exited).toBe(0);

    const status = await b.status();
    expect(status.total_sync_count).toBe(6);
    expect(status.module_sync_counts).toEqual({ education: 2, finance: 2, creative: 2 });
    const page = EventsPage.parse(await (await fetch(`${b.url}/insight/events`)).json());
    expect(new Set(page.events.map((e) => e.session_id)).size).toBe(1);

    const out = cli.stdout();
    expect(out.match(/ 200 accepted /g)).toHaveLength(6);
    expect(out).toContain(`session ${page.events[0]?.session_id}`);
    expect(out).toMatch(/summary: sent 6, accepted 6, refused 0, failed 0, latency p50 [\d.]+ ms, p99 [\d.]+ ms/);
  });

  it("when the bridge is not up yet, then the emitter says so, retries with backoff, and delivers once it starts", async () => {
    const port = await freePort();
    const cli = runCli(["--url", `http://127.0.0.1:${port}`, "--count", "1"]);
    await cli.waitForLine(/education\s+bridge unreachable: .*ECONNREFUSED.*retry 2 in/);

    const b = await bridge({ port });
    expect(await cli.exited).toBe(0);
    expect((await b.status()).module_sync_counts).toEqual({ education: 1, finance: 1, creative: 1 });
    expect(cli.stdout()).toMatch(/bridge reachable again after \d+ retries/);
    expect(cli.stdout()).toMatch(/summary: sent 3, accepted 3, refused 0, failed 0, retries \d+/);
  });

  it("when the bridge refuses an update, then the line gives the bridge's error and --count exits 1", async () => {
    // a key for two modules only: the third is refused with 403, everything without the key with 401
    const b = await bridge({ env: { BRIDGE_API_KEYS: `${KEY}:education|finance` } });
    const scoped = runCli(["--url", b.url, "--count", "1", "--key", KEY, "--modules", "education,finance,hr"]);
    const keyless = runCli(["--url", b.url, "--count", "1", "--modules", "education"]);
    expect(await scoped.exited).toBe(1);
    expect(scoped.stdout()).toMatch(/hr\s+403 REFUSED .*forbidden: /);
    expect(scoped.stdout()).toContain("summary: sent 3, accepted 2, refused 1, failed 0");

    expect(await keyless.exited).toBe(1);
    expect(keyless.stdout()).toMatch(/education\s+401 REFUSED .*unauthenticated: /);
    expect(keyless.stdout()).not.toContain(KEY);
    expect((await b.status()).module_sync_counts).toEqual({ education: 1, finance: 1 });
  });

  it("when --rate is given, then it sends in load mode and ends with the summary of sent, accepted, refused, failed and p50/p99", async () => {
    const b = await bridge();
    const cli = runCli(["--url", b.url, "--rate", "100", "--count", "20", "--modules", "education,hr"]);
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toMatch(/summary: sent 40, accepted 40, refused 0, failed 0, latency p50 [\d.]+ ms, p99 [\d.]+ ms/);
    expect(cli.stdout()).toMatch(/^sent 40\/40 {2}accepted 40 /m);
    expect((await b.status()).module_sync_counts).toEqual({ education: 20, hr: 20 });
  });

  it("when run without --count, then it keeps sending every interval until interrupted, and exits 0", async () => {
    const b = await bridge();
    const cli = runCli(["--url", b.url, "--interval", "100ms", "--modules", "finance"]);
    await eventually(async () => (await b.status()).total_sync_count >= 3);
    cli.child.kill("SIGINT");
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toMatch(/summary: sent \d+, accepted \d+, .*interrupted/);
  });

  it("when an option is wrong, then it exits 2 naming the option; --help prints the options", async () => {
    const bad = runCli(["--interval", "soon", "--modules", "ok,not ok"]);
    const help = runCli(["--help"]);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toContain("--interval must be a duration");
    expect(bad.stderr()).toContain("--modules: must start with a letter or digit");

    expect(await help.exited).toBe(0);
    for (const option of ["--interval", "--modules", "--seed", "--count", "--rate", "--url", "--key"])
      expect(help.stdout()).toContain(option);
    // both modes' handling of a failure is spelled out, and "seed" means only --seed
    expect(help.stdout()).toMatch(/interval mode.*same update again, with the same Idempotency-Key/s);
    expect(help.stdout()).toMatch(/load mode \(--rate\).*counts the update as failed and does not send it again/s);
    expect(help.stdout()).not.toMatch(/seed's/);
  });

  it("when an update gets 5xx in interval mode, then the same update is sent again with the same Idempotency-Key", async () => {
    const b = await failingBridge();
    b.faults.failRate = 0;
    // two failures, then the mock's own 422 (the update is no Bucket delivery): a refusal ends the retries
    b.respondNext({ status: 503 }, { status: 500 });
    const cli = runCli(["--url", b.url, "--count", "1", "--modules", "education"]);
    expect(await cli.exited).toBe(1);
    expect(b.requests.map((r) => r.status)).toEqual([503, 500, 422]);
    const keys = new Set(b.requests.map((r) => r.eventId));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toBeTruthy();
    expect(cli.stdout()).toMatch(/summary: sent 1, accepted 0, refused 1, failed 0, retries 2/);
  });

  it("when updates fail in load mode, then each is counted as failed and none is sent again", async () => {
    const b = await failingBridge();
    // three updates: the pauses after consecutive failures grow (0.5 s, 1 s, 2 s), so more would only take longer
    const cli = runCli(["--url", b.url, "--rate", "50", "--count", "3", "--modules", "education"]);
    expect(await cli.exited).toBe(1);
    expect(cli.stdout()).toMatch(/summary: sent 3, accepted 0, refused 0, failed 3/);
    expect(b.requests.map((r) => r.status)).toEqual([503, 503, 503]);
    expect(new Set(b.requests.map((r) => r.eventId)).size).toBe(3);
  });
});
