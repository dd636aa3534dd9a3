import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
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

/** True when 127.0.0.1:port can be bound, as pnpm dev checks before it starts. */
function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createServer();
    s.once("error", () => done(false));
    s.listen(port, "127.0.0.1", () => s.close(() => done(true)));
  });
}

/** The environment a developer's shell has: none of the test runner's variables. */
function shellEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && !e[0].startsWith("VITEST") && e[0] !== "NODE_ENV",
    ),
  );
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
    // dev.mjs itself, when it was started under pnpm (it shares the test's process group then: only its pid)
    for (const m of dev.stdout().matchAll(/pnpm dev \(pid (\d+)\)/g)) {
      try {
        process.kill(Number(m[1]), "SIGKILL");
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
    const dev = run(process.execPath, ["scripts/dev.mjs", "--interval", "1s"], {
      cwd: REPO_ROOT,
      inheritEnv: false,
      env: {
        ...shellEnv(),
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
    // with BRIDGE_ROOT and no DATABASE_URL, the database is the root's own
    expect(dev.stdout()).toContain(`database ${join(root, "data", "bridge.db")}`);
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
      // its file lives beside the database, under the temp root, not in the repository
      expect(existsSync(join(root, "data", "bridge-bucket.jsonl"))).toBe(true);
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

  it("when only its parent (pnpm) is killed with SIGTERM, then every part stops, no process is left and the ports are free", async () => {
    const ports = { PORT: await freePort(), DASHBOARD_PORT: await freePort(), BUCKET_PORT: await freePort() };
    expect(new Set(Object.values(ports)).size).toBe(3);
    const root = mkdtempSync(join(tmpdir(), "dev-orchestration-"));
    roots.push(root);
    // pnpm itself, as a developer (or an IDE, or a supervisor) starts it: pnpm → sh → node scripts/dev.mjs
    const pnpm = run("pnpm", ["dev", "--interval", "1s"], {
      cwd: REPO_ROOT,
      inheritEnv: false,
      env: {
        ...shellEnv(),
        ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
        BRIDGE_ROOT: root,
        // relative: the api resolves it against BRIDGE_ROOT, and the banner says where it ended up
        DATABASE_URL: "./dev-test/demo.db",
        NO_COLOR: "1",
      },
    });
    devs.push(pnpm);
    onTestFailed(() => {
      process.stderr.write(`pnpm dev printed:\n${pnpm.stdout()}\n${pnpm.stderr()}\n`);
    });
    await pnpm.waitForLine(/started mock \(pid \d+\)/, 60_000);
    const devPid = Number(pnpm.stdout().match(/pnpm dev \(pid (\d+)\)/)?.[1]);
    expect(devPid).toBeGreaterThan(0);
    expect(devPid).not.toBe(pnpm.child.pid);
    const database = join(root, "dev-test", "demo.db");
    expect(pnpm.stdout()).toContain(`database ${database}`);
    expect(existsSync(database)).toBe(true);
    expect(pnpm.stdout()).toContain(`--file ${join(root, "dev-test", "demo-bucket.jsonl")}`);

    const pgids = new Set([...pnpm.stdout().matchAll(/started \w+ \(pid (\d+)\)/g)].map((m) => Number(m[1])));
    const children = processes().filter((p) => pgids.has(p.pgid));
    expect(children.length).toBeGreaterThan(pgids.size);
    for (const p of Object.values(ports)) expect(await portFree(p)).toBe(false);

    // pnpm dies of it without passing it on; dev.mjs notices its parent is gone
    process.kill(pnpm.child.pid ?? 0, "SIGTERM");
    await pnpm.exited;
    // dev.mjs still holds the pipe pnpm handed it, so its last lines arrive after pnpm's exit
    await eventually(() => pnpm.stdout().includes("stopped; no process left behind"), 20_000);
    expect(pnpm.stdout()).toMatch(/the parent process \(pid \d+\) is gone: stopping every part/);
    const pids = new Set([devPid, ...children.map((c) => c.pid)]);
    await eventually(() => processes().every((p) => !pids.has(p.pid) && !pgids.has(p.pgid)), 5_000);
    for (const p of Object.values(ports)) expect(await portFree(p)).toBe(true);
  }, 90_000);
});
