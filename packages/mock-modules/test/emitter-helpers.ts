import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startTestBridge } from "./bridge.js";

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_ROOT = join(PACKAGE_DIR, "..", "..");

export type { TestBridge } from "./bridge.js";
export { freePort } from "./bridge.js";

/** A real bridge (Express app, SQLite file and logs in a temp folder) on `port` (0: a random one). */
export const startBridge = (opts: { port?: number; env?: Record<string, string> } = {}) => startTestBridge(opts);

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
