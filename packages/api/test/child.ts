import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const API_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");

export interface ApiChild {
  proc: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start the real api (src/main.ts) as a child process and wait for its READY line. */
/** src/main.ts in a child process, its stdout and stderr gathered into one string. */
function startMain(env: NodeJS.ProcessEnv): { proc: ChildProcess; output: () => string } {
  const proc = spawn(process.execPath, ["--conditions=development", "--import", "tsx", "src/main.ts"], {
    cwd: API_DIR,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const gather = (c: Buffer) => {
    out += c;
  };
  proc.stdout?.on("data", gather);
  proc.stderr?.on("data", gather);
  return { proc, output: () => out };
}

export async function spawnApi(env: Record<string, string>, timeoutMs = 20_000): Promise<ApiChild> {
  const { proc, output } = startMain({ ...process.env, PORT: "0", LOG_LEVEL: "warn", ...env });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`api did not start in time:\n${output()}`)), timeoutMs);
    const onData = () => {
      const m = /READY (http:\/\/\S+)/.exec(output());
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout?.on("data", onData);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`api exited with ${code} before it was ready:\n${output()}`));
    });
  });
  return { proc, url, output, exited };
}

/** Run src/main.ts to completion (for startup failures) and return its exit code and output. */
export async function runApiToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const { proc, output } = startMain({ ...process.env, ...env });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 20_000);
  const code = await new Promise<number | null>((resolve) => proc.on("exit", (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output: output() };
}
