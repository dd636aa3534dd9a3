import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createApp, createLoggers, loadConfig, SqliteEventStore } from "@bridge/api";
import { StatusResponse } from "@bridge/shared";

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_ROOT = join(PACKAGE_DIR, "..", "..");

export interface TestBridge {
  url: string;
  status(): Promise<StatusResponse>;
  close(): Promise<void>;
}

/** A real bridge (Express app, SQLite file and logs in a temp folder) on `port` (0: a random one). */
export async function startBridge(opts: { port?: number; env?: Record<string, string> } = {}): Promise<TestBridge> {
  const root = mkdtempSync(join(tmpdir(), "mock-modules-bridge-"));
  const config = loadConfig({ BRIDGE_ROOT: root, PORT: "0", ...opts.env });
  const loggers = createLoggers(config.log);
  const store = new SqliteEventStore({ path: config.databasePath, deliveryMode: config.bucketUrl ? "http" : "embedded" });
  const app = createApp({ config, store, loggers });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(opts.port ?? 0, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async status() {
      const res = await fetch(`${url}/bucket/status`);
      return StatusResponse.parse(await res.json());
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      await loggers.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A port nothing listens on: bound, then released. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", () => resolve()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export interface RunningProcess {
  child: ChildProcess;
  /** Everything printed so far on stdout. */
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout has a line matching `pattern`; rejects if the process ends first. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** For afterEach: a test that failed half-way must not leave its processes running. */
export function killRunning(): void {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
}

/** Start a process; `env` is added to this process's environment, or replaces it with `inheritEnv: false`. */
export function run(
  command: string,
  args: string[],
  opts: { cwd: string; env?: Record<string, string>; inheritEnv?: boolean },
): RunningProcess {
  const env = opts.inheritEnv === false ? { ...opts.env } : { ...process.env, ...opts.env };
  const child = spawn(command, args, { cwd: opts.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  child.on("exit", () => running.delete(child));
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  child.stdout?.setEncoding("utf8").on("data", (c: string) => {
    out += c;
    for (const w of waiters) w();
  });
  child.stderr?.setEncoding("utf8").on("data", (c: string) => {
    err += c;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let ended = false;
  void exited.then(() => {
    ended = true;
    for (const w of waiters) w();
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLine(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(pattern);
          if (m) {
            done();
            resolve(m);
          } else if (ended) {
            done();
            reject(new Error(`process ended before printing ${pattern}:\n${out}\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${out}\n${err}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** The emitter CLI as a user runs it, from source. */
export function runCli(args: string[]): RunningProcess {
  return run(process.execPath, ["--conditions=development", "--import", "tsx", "src/emitter-cli.ts", ...args], { cwd: PACKAGE_DIR });
}

/** Wait until `check` returns a truthy value. */
type Falsy = null | undefined | false;
export async function eventually<T>(check: () => T | Falsy | Promise<T | Falsy>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}
