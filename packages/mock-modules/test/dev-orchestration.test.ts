import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StatusResponse } from "@bridge/shared";
import { afterEach, describe, expect, it, onTestFailed } from "vitest";
import { eventually, freePort, killRunning, REPO_ROOT, type RunningProcess, run } from "./emitter-helpers.js";

/** Every process still running (zombies excluded: they have exited and only wait to be reaped), with its group. */
function processes(): Array<{ pid: number; pgid: number; args: string }> {
  return execFileSync("ps", ["-e", "-o", "pid=,pgid=,stat=,args="], { encoding: "utf8" })
    .split("\n")
    .map((row) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(row))
    .filter((m): m is RegExpExecArray => m !== null && !m[3]?.startsWith("Z"))
    .map((m) => ({ pid: Number(m[1]), pgid: Number(m[2]), args: m[4] ?? "" }));
}

const roots: string[] = [];
const devs: RunningProcess[] = [];
afterEach(async () => {
  // a test that failed half-way: let pnpm dev stop its parts, then kill whatever group it reported
  for (const dev of devs.splice(0)) {
    if (dev.child.exitCode === null && dev.child.signalCode === null) {
      dev.child.kill("SIGINT");
      await Promise.race([dev.exited, new Promise((r) => setTimeout(r, 15_000))]);
    }
    for (const m of dev.stdout().matchAll(/started \w+ \(pid (\d+)\)/g)) {
      try {
        process.kill(-Number(m[1]), "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  killRunning();
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
}, 30_000);

describe("pnpm dev (scripts/dev.mjs)", () => {
  it("when it starts, then every part runs and updates arrive; a part that dies is reported; one SIGINT stops every process", async () => {
    const apiPort = await freePort();
    const dashboardPort = await freePort();
    const bucketPort = await freePort();
    expect(new Set([apiPort, dashboardPort, bucketPort]).size).toBe(3);
    const root = mkdtempSync(join(tmpdir(), "dev-orchestration-"));
    roots.push(root);
    // the environment a developer's shell has: none of the test runner's variables
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        (e): e is [string, string] => e[1] !== undefined && !e[0].startsWith("VITEST") && e[0] !== "NODE_ENV",
      ),
    );
    const dev = run(process.execPath, ["scripts/dev.mjs", "--interval", "1s"], {
      cwd: REPO_ROOT,
      inheritEnv: false,
      env: {
        ...env,
        PORT: String(apiPort),
        DASHBOARD_PORT: String(dashboardPort),
        BUCKET_PORT: String(bucketPort),
        BRIDGE_ROOT: root,
        NO_COLOR: "1",
      },
    });

    devs.push(dev);
    onTestFailed(() => {
      process.stderr.write(`pnpm dev printed:\n${dev.stdout()}\n${dev.stderr()}\n`);
    });
    await dev.waitForLine(/started mock \(pid \d+\)/, 60_000);
    const api = `http://127.0.0.1:${apiPort}`;
    const status = await eventually(async () => {
      // tolerant of a moment without the api: tsx watch restarts it when a source file changes
      const res = await fetch(`${api}/bucket/status`).catch(() => null);
      if (!res?.ok) return null;
      const s = StatusResponse.parse(await res.json());
      return ["education", "finance", "creative"].every((m) => (s.module_sync_counts[m] ?? 0) >= 1) ? s : null;
    }, 30_000);
    expect(status.total_sync_count).toBeGreaterThanOrEqual(3);

    // with a mock Bucket script in the root package.json, pnpm dev starts it and the api delivers there
    const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    if (scripts["mock:bucket"]) {
      expect(dev.stdout()).toMatch(/started bucket \(pid \d+\)/);
      expect(status.delivery.mode).toBe("http");
      const received = await eventually(async () => {
        const res = await fetch(`http://127.0.0.1:${bucketPort}/count`).catch(() => null);
        if (!res?.ok) return null;
        const count = (await res.json()) as { by_module: Record<string, number> };
        return ["education", "finance", "creative"].every((m) => (count.by_module[m] ?? 0) >= 1) ? count : null;
      }, 30_000);
      expect(Object.keys(received.by_module)).toEqual(expect.arrayContaining(["education", "finance", "creative"]));
      // its file lives under the temp root, not in the repository
      expect(existsSync(join(root, "data", "mock-bucket", "received.jsonl"))).toBe(true);
    } else {
      expect(status.delivery.mode).toBe("embedded");
    }
    expect(dev.stdout()).toMatch(/^mock\s+│ .*education\s+200 accepted/m);

    // the dashboard dev server answers, and its proxy reaches this api
    const page = await eventually(async () => {
      const res = await fetch(`http://localhost:${dashboardPort}/`).catch(() => null);
      return res?.ok ? res.text() : null;
    }, 30_000);
    expect(page).toContain("<html");
    const proxied = StatusResponse.parse(await (await fetch(`http://localhost:${dashboardPort}/bucket/status`)).json());
    expect(proxied.total_sync_count).toBeGreaterThanOrEqual(3);

    const groups = [...dev.stdout().matchAll(/started (\w+) \(pid (\d+)\)/g)].map((m) => ({ part: m[1], pgid: Number(m[2]) }));
    expect(groups.map((g) => g.part)).toEqual(expect.arrayContaining(["api", "dashboard", "mock"]));
    const pgids = new Set(groups.map((g) => g.pgid));
    const children = processes().filter((p) => pgids.has(p.pgid));
    // pnpm, its shell, tsx watch, the api, vite, the emitter...: more processes than parts
    expect(children.length).toBeGreaterThan(groups.length);

    // a part that dies is reported, and the others keep running
    const mock = groups.find((g) => g.part === "mock");
    process.kill(-(mock?.pgid ?? 0), "SIGKILL");
    await dev.waitForLine(/✖ mock stopped on its own \(signal SIGKILL\)/, 10_000);
    expect((await fetch(`${api}/healthz`)).status).toBe(200);

    dev.child.kill("SIGINT");
    // 1: a part had crashed during the session
    expect(await dev.exited).toBe(1);
    expect(dev.stdout()).toContain("stopped; no process left behind");
    const childPids = new Set(children.map((c) => c.pid));
    expect(processes().filter((p) => childPids.has(p.pid) || pgids.has(p.pgid))).toEqual([]);
  }, 90_000); // a cold start compiles the api and bundles the dashboard's dependencies: 10-40 s on a busy 2-core machine
});
