// `pnpm dev`: the whole system on one command, with no configuration.
//
//   bucket     the mock Bucket on 9000 (when the root package.json has a `mock:bucket` script)
//   api        the bridge on 8000, in watch mode, delivering to the mock Bucket
//   dashboard  the Vite dev server on 8501, proxying the api
//   mock       the mock Core modules, started once the api answers /healthz (and the Bucket is READY)
//
// Each part runs in its own process group (detached), because pnpm, tsx watch and vite each start
// children of their own: one Ctrl-C signals every group, waits for them to end, and kills what is left
// after 5 s, so nothing is left behind. A part that ends on its own is reported in red, not lost.
// The same happens when the parent goes away: `kill <pid of pnpm>` (an IDE's stop button, `timeout`, a
// supervisor) kills pnpm, which does not pass the signal on, so this process watches its parent pid.
//
// Its data is its own: data/dev.db (and the mock Bucket's data/dev-bucket.jsonl beside it), not the
// data/bridge.db of `pnpm start`, whose embedded mode marks every event delivered at once: sharing one
// database would make the dashboard count deliveries the mock Bucket never saw.
//
// Overrides (environment): PORT (api), DASHBOARD_PORT, BUCKET_PORT, BUCKET_URL (use that Bucket instead
// of starting the mock one), BRIDGE_ROOT (where data/ and logs go; default: this repository; its
// database is <root>/data/bridge.db), DATABASE_URL (the api's database), NO_COLOR.
// Arguments after `pnpm dev` go to the emitter: `pnpm dev --interval 5s --modules education,hr`.
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { basename, dirname, extname, isAbsolute, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** After Ctrl-C, how long the parts get to stop before their groups are killed (the api drains requests in well under 1 s). */
const STOP_GRACE_MS = 5_000;
/** The api must answer /healthz within this time on a cold machine (tsx compiles on the fly). */
const API_START_TIMEOUT_MS = 120_000;
/** /healthz is polled every 2 s once the api is up; three misses in a row are reported. */
const HEALTH_EVERY_MS = 2_000;
const HEALTH_MISSES = 3;
/** How often the parent pid is checked: a parent killed by pid is noticed within 0.5 s. */
const PARENT_CHECK_MS = 500;

const HELP = `pnpm dev: the api (:8000), the dashboard (http://localhost:8501), the mock Core modules and the mock Bucket (:9000).

Its data: data/dev.db, and the mock Bucket's data/dev-bucket.jsonl beside it (pnpm start uses data/bridge.db).

Environment overrides: PORT (api), DASHBOARD_PORT, BUCKET_PORT, BUCKET_URL (an existing Bucket: the mock one is not
started), BRIDGE_ROOT (data and logs; default the repository root; the database is then <root>/data/bridge.db),
DATABASE_URL (the api's database; the mock Bucket's file goes beside it), NO_COLOR.
Arguments go to the mock Core modules (see pnpm mock --help), e.g.: pnpm dev --interval 5s
Ctrl-C stops every part, and so does killing pnpm (or this process's parent).
`;

// When the terminal goes away (SIGHUP) or the reader of a pipe quits, writes fail: that must not end
// this process before it has stopped the parts.
process.stdout.on("error", () => {});
process.stderr.on("error", () => {});

const useColor = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code, text) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);
const COLORS = { dev: "1", bucket: "33", api: "36", dashboard: "35", mock: "32" };
const LABEL_WIDTH = Math.max(...Object.keys(COLORS).map((k) => k.length));

function say(name, text) {
  const label = paint(COLORS[name] ?? "1", name.padEnd(LABEL_WIDTH));
  process.stdout.write(`${label} │ ${text}\n`);
}
const loud = (text) => say("dev", paint("1;31", text));

function port(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    process.stderr.write(`${name}=${JSON.stringify(raw)}: must be a port number (1-65535)\n`);
    process.exit(2);
  }
  return n;
}

/** True when nothing listens on 127.0.0.1:port (we can bind it ourselves). */
function portFree(p) {
  return new Promise((done) => {
    const s = createServer();
    s.once("error", () => done(false));
    s.listen(p, "127.0.0.1", () => s.close(() => done(true)));
  });
}

/** Process groups that still have a live member. Zombies do not count: they have exited and only wait to be reaped. */
function liveGroups(pgids) {
  if (pgids.length === 0) return [];
  let out = "";
  try {
    out = execFileSync("ps", ["-e", "-o", "pgid=,stat="], { encoding: "utf8" });
  } catch {
    // no ps: fall back to signal 0, which also counts zombies
    return pgids.filter((g) => {
      try {
        process.kill(-g, 0);
        return true;
      } catch {
        return false;
      }
    });
  }
  const live = new Set();
  for (const row of out.split("\n")) {
    const [g, stat] = row.trim().split(/\s+/);
    if (g && stat && !stat.startsWith("Z")) live.add(Number(g));
  }
  return pgids.filter((g) => live.has(g));
}

function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is already gone
  }
}

async function waitFor(check, { every = 300, timeoutMs, until = () => false }) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !until()) {
    if (await check()) return true;
    await sleep(every);
  }
  return false;
}

async function answers(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/** Every part that was started: name → { child, pgid, exited, onLine }. */
const parts = new Map();
let stopping = false;

function start(name, args, env = {}) {
  const child = spawn("pnpm", args, {
    cwd: ROOT,
    env: { ...process.env, ...(useColor ? { FORCE_COLOR: "1" } : {}), ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const part = { name, child, pgid: child.pid, exited: false, lineListeners: [] };
  parts.set(name, part);
  say("dev", `started ${name} (pid ${child.pid}): pnpm ${args.join(" ")}`);
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk) => {
      buffered += chunk;
      const lines = buffered.split(/\r?\n/);
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        say(name, line);
        for (const listen of part.lineListeners) listen(line);
      }
    });
    stream.on("end", () => {
      if (buffered) say(name, buffered);
    });
  }
  child.on("error", (err) => {
    part.exited = true;
    loud(`✖ ${name} could not be started: ${err.message}`);
  });
  child.on("exit", (code, signal) => {
    part.exited = true;
    if (stopping) return;
    // the part's leader is gone; whatever it started must not linger
    signalGroup(part.pgid, "SIGTERM");
    loud(`✖ ${name} stopped on its own (${signal ? `signal ${signal}` : `exit code ${code}`}): see its lines above.`);
    loud("  The other parts keep running; fix the cause and run pnpm dev again. Ctrl-C stops everything.");
    process.exitCode = 1;
    if ([...parts.values()].every((p) => p.exited)) void stop("every part ended");
  });
  return part;
}

/** Resolves with the first line matching `pattern`, or null when the part exits or the time is up. */
function lineMatching(part, pattern, timeoutMs) {
  return new Promise((done) => {
    const timer = setTimeout(() => done(null), timeoutMs);
    part.lineListeners.push((line) => {
      const m = pattern.exec(line);
      if (m) {
        clearTimeout(timer);
        done(m);
      }
    });
    part.child.on("exit", () => {
      clearTimeout(timer);
      done(null);
    });
  });
}

/** The api's database file, as the api resolves DATABASE_URL (relative to its root): for the banner and the Bucket's file. */
function databasePathOf(url, root) {
  if (url === ":memory:") return url;
  const path = url.replace(/^sqlite:(\/\/)?/, "").replace(/^file:(\/\/)?/, "");
  return isAbsolute(path) ? path : resolve(root, path);
}

/**
 * pnpm, killed by pid, dies without passing the signal on, and the parts sit in groups of their own, so
 * nothing would stop them: when the parent pid changes (this process was handed to init or a subreaper),
 * every part is stopped as on Ctrl-C.
 */
function watchParent() {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    void stop(`the parent process (pid ${parent}) is gone`);
  }, PARENT_CHECK_MS);
  timer.unref();
}

async function stop(reason) {
  if (stopping) return;
  stopping = true;
  say("dev", `${reason}: stopping every part`);
  const groups = [...parts.values()].map((p) => p.pgid).filter((g) => typeof g === "number");
  // SIGINT, as a terminal's Ctrl-C would send to each part's whole group: tsx, vite and the api shut down cleanly on it
  for (const g of groups) signalGroup(g, "SIGINT");
  const deadline = Date.now() + STOP_GRACE_MS;
  let left = liveGroups(groups);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = liveGroups(groups);
  }
  for (const g of left) {
    const name = [...parts.values()].find((p) => p.pgid === g)?.name;
    loud(`${name} did not stop within ${STOP_GRACE_MS / 1000} s: killing its processes`);
    signalGroup(g, "SIGKILL");
  }
  if (left.length > 0) await waitFor(() => liveGroups(groups).length === 0, { every: 100, timeoutMs: 2_000 });
  const stuck = liveGroups(groups);
  if (stuck.length === 0) say("dev", "stopped; no process left behind");
  else loud(`processes of group(s) ${stuck.join(", ")} are still there: see ps -e -o pid,pgid,args`);
  process.exit();
}

async function main() {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    process.stdout.write(HELP);
    return;
  }
  const apiPort = port("PORT", 8000);
  const dashboardPort = port("DASHBOARD_PORT", 8501);
  const bucketPort = port("BUCKET_PORT", 9000);
  const scripts = JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")).scripts ?? {};
  const withBucket = !process.env.BUCKET_URL && typeof scripts["mock:bucket"] === "string";

  const wanted = [
    ["api", apiPort, "PORT"],
    ["dashboard", dashboardPort, "DASHBOARD_PORT"],
    ...(withBucket ? [["mock Bucket", bucketPort, "BUCKET_PORT"]] : []),
  ];
  const busy = [];
  for (const [what, p, variable] of wanted) if (!(await portFree(p))) busy.push([what, p, variable]);
  if (busy.length > 0) {
    for (const [what, p, variable] of busy) {
      loud(`port ${p} (${what}) is in use: stop what holds it (another pnpm dev?) or choose another, e.g. ${variable}=${p + 100} pnpm dev`);
    }
    process.exit(1);
  }

  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      if (stopping) {
        // a second Ctrl-C: no more waiting
        for (const p of parts.values()) signalGroup(p.pgid, "SIGKILL");
        process.exit(130);
      }
      void stop(signal);
    });
  }
  watchParent();

  const apiUrl = `http://127.0.0.1:${apiPort}`;
  let bucketUrl = process.env.BUCKET_URL ?? null;
  let bucketReady = Promise.resolve(true);
  // a relative BRIDGE_ROOT means the folder pnpm dev was started from, not each package's folder
  const bridgeRoot = process.env.BRIDGE_ROOT ? resolve(process.env.BRIDGE_ROOT) : null;
  const rootEnv = bridgeRoot ? { BRIDGE_ROOT: bridgeRoot } : {};
  // dev's own database unless the user chose one (DATABASE_URL) or a root of their own (BRIDGE_ROOT)
  const userDatabase = process.env.DATABASE_URL || null;
  const databasePath = userDatabase
    ? databasePathOf(userDatabase, bridgeRoot ?? ROOT)
    : bridgeRoot
      ? resolve(bridgeRoot, "data", "bridge.db")
      : resolve(ROOT, "data", "dev.db");
  const databaseEnv = userDatabase || bridgeRoot ? {} : { DATABASE_URL: databasePath };
  say("dev", `pnpm dev (pid ${process.pid}) · database ${databasePath}`);
  if (withBucket) {
    // the mock Bucket keeps what it received beside the database it goes with (data/dev.db: data/dev-bucket.jsonl);
    // a database in memory starts empty every time, and so does its Bucket
    const file =
      databasePath === ":memory:"
        ? ["--file", resolve(bridgeRoot ?? ROOT, "data", "memory-bucket.jsonl"), "--reset"]
        : ["--file", join(dirname(databasePath), `${basename(databasePath, extname(databasePath))}-bucket.jsonl`)];
    const bucket = start("bucket", ["--silent", "mock:bucket", "--port", String(bucketPort), ...file]);
    // it takes deliveries on any path; /ingest is the one its help names
    bucketUrl = `http://127.0.0.1:${bucketPort}/ingest`;
    bucketReady = lineMatching(bucket, /READY http/, 60_000).then((m) => m !== null);
  }
  start("api", ["--silent", "--filter", "@bridge/api", "dev"], {
    ...rootEnv,
    ...databaseEnv,
    PORT: String(apiPort),
    ...(bucketUrl ? { BUCKET_URL: bucketUrl } : {}),
  });
  start("dashboard", ["--silent", "--filter", "@bridge/dashboard", "dev", "--port", String(dashboardPort), "--strictPort"], {
    VITE_API_PROXY: apiUrl,
  });

  const api = parts.get("api");
  const up = await waitFor(() => answers(`${apiUrl}/healthz`), { timeoutMs: API_START_TIMEOUT_MS, until: () => api.exited || stopping });
  if (stopping || api.exited) return;
  if (!up) {
    loud(`the api did not answer ${apiUrl}/healthz within ${API_START_TIMEOUT_MS / 1000} s: starting the mock modules anyway (they retry)`);
  }
  if (!(await bucketReady) && withBucket && !stopping)
    loud("the mock Bucket did not print READY: deliveries will be retried until it does");
  if (stopping) return;
  start("mock", ["--silent", "mock", "--url", apiUrl, ...process.argv.slice(2)]);

  const dashboardUp = await waitFor(() => answers(`http://localhost:${dashboardPort}/`), {
    timeoutMs: 60_000,
    until: () => parts.get("dashboard").exited || stopping,
  });
  if (!stopping) {
    say(
      "dev",
      paint(
        "1;32",
        `${dashboardUp ? `dashboard http://localhost:${dashboardPort}` : "dashboard not answering yet"} · api ${apiUrl}` +
          `${bucketUrl ? ` · Bucket ${bucketUrl}` : " · Bucket: embedded"} · database ${databasePath} · Ctrl-C stops everything`,
      ),
    );
  }
  watchHealth(`${apiUrl}/healthz`, api);
}

/** tsx watch outlives a crashed api (it waits for the next save), so the exit of the part does not tell: /healthz does. */
function watchHealth(url, api) {
  let misses = 0;
  const timer = setInterval(async () => {
    if (stopping || api.exited) return clearInterval(timer);
    if (await answers(url)) {
      if (misses >= HEALTH_MISSES) say("dev", paint("1;32", "the api answers /healthz again"));
      misses = 0;
    } else if (++misses === HEALTH_MISSES) {
      loud(
        `✖ the api has not answered ${url} for ${(HEALTH_MISSES * HEALTH_EVERY_MS) / 1000} s: it crashed or hangs, see its lines above.`,
      );
      loud("  tsx watch restarts it when you save a file; the mock modules keep retrying.");
    }
  }, HEALTH_EVERY_MS);
}

main().catch((err) => {
  loud(`pnpm dev failed: ${err?.stack ?? err}`);
  void stop("error");
});
