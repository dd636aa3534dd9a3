import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { ModuleName } from "@bridge/shared";
import { z } from "zod";
import { formatDuration, parseDuration } from "./emitter/duration.js";
import { type EmitterOptions, formatSummary, runEmitter } from "./emitter/emitter.js";
import { DEFAULT_MODULES } from "./generators/index.js";

const HELP = `Mock Core modules: send realistic updates to the bridge's POST /core/update.

Usage: pnpm mock [options]

Options:
  --interval <duration>  time between rounds, one update per module each (default 30s; e.g. 500ms, 10s, 2m)
  --modules <a,b,c>      modules to send for (default education,finance,creative; any other name gets a
                         generic payload)
  --seed <n>             seed of the data: the same seed sends the same data (default: random, printed)
  --count <n>            stop after n rounds; exits 1 if any update was refused or failed
  --rate <r>             load mode: r updates per second over all modules, each sent once, with a progress line
                         and a summary (sent, accepted, refused, failed, latency p50/p99); --count still counts
                         rounds
  --url <url>            the bridge (default http://127.0.0.1:8000)
  --key <key>            API key, sent as Authorization: Bearer <key>
  --timeout <duration>   per request (default 10s); no answer in time counts as unreachable
  -h, --help             this text

When an update does not get through (the bridge is unreachable, does not answer within --timeout, or answers
5xx or 429):
  interval mode (without --rate)  it sends the same update again, with the same Idempotency-Key, after 0.5 s,
                                  1 s, 2 s ... up to 30 s between tries (or the bridge's Retry-After), until it
                                  lands; the next update waits for it. One line per answer and per retry.
  load mode (--rate)              it counts the update as failed and does not send it again; sending pauses
                                  with the same backoff, then goes on at the rate. The first 5 errors are shown.
Any other 4xx is printed with the bridge's error and not sent again; the next update goes on.
Every run has its own session id; each update carries an Idempotency-Key, so an update sent twice is counted
once by the bridge.

Examples:
  pnpm mock                                  # the defaults: a round every 30 s for education, finance, creative
  pnpm mock --interval 2s --modules education,hr
  pnpm mock --count 1 --seed 42              # one round, reproducible data
  pnpm mock --rate 200 --count 500           # 1500 updates at 200/s, then a summary
`;

const duration = (name: string, min: number) =>
  z.string().transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === null || ms < min) {
      ctx.addIssue({
        code: "custom",
        message: `--${name} must be a duration of at least ${formatDuration(min)}, such as 500ms, 30s or 2m`,
      });
      return z.NEVER;
    }
    return ms;
  });

const positiveInt = (name: string) =>
  z
    .string()
    .regex(/^\d+$/, { message: `--${name} must be a whole number` })
    .transform(Number)
    .refine((n) => n >= 1, { message: `--${name} must be at least 1` });

/** The command line, validated in one place: every wrong option is named. */
const CliOptions = z.object({
  interval: duration("interval", 1).default(30_000),
  modules: z
    .string()
    .transform((v) => [
      ...new Set(
        v
          .split(",")
          .map((m) => m.trim())
          .filter((m) => m !== ""),
      ),
    ])
    .pipe(z.array(ModuleName, { message: "--modules must be module names" }).min(1, { message: "--modules needs at least one name" }))
    .default([...DEFAULT_MODULES]),
  seed: z
    .string()
    .regex(/^-?\d+$/, { message: "--seed must be an integer" })
    .transform((v) => Number(BigInt.asUintN(32, BigInt(v))))
    .optional(),
  count: positiveInt("count").optional(),
  rate: z.coerce
    .number({ message: "--rate must be a number" })
    .positive({ message: "--rate must be above 0" })
    .max(100_000, { message: "--rate must be at most 100000" })
    .optional(),
  url: z.url({ protocol: /^https?$/, message: "--url must be an http(s) URL" }).default("http://127.0.0.1:8000"),
  key: z.string().min(1, { message: "--key must not be empty" }).optional(),
  timeout: duration("timeout", 1).default(10_000),
});

function fail(message: string): never {
  process.stderr.write(`${message}\nRun with --help for the options.\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        interval: { type: "string" },
        modules: { type: "string" },
        seed: { type: "string" },
        count: { type: "string" },
        rate: { type: "string" },
        url: { type: "string" },
        key: { type: "string" },
        timeout: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const { help: _help, ...rest } = values;
  const parsed = CliOptions.safeParse(rest);
  if (!parsed.success) {
    fail(parsed.error.issues.map((i) => (i.message.startsWith("--") ? i.message : `--${String(i.path[0])}: ${i.message}`)).join("\n"));
  }
  const o = parsed.data;

  const opts: EmitterOptions = {
    url: o.url,
    key: o.key ?? null,
    timeoutMs: o.timeout,
    modules: o.modules,
    intervalMs: o.interval,
    seed: o.seed ?? Math.floor(Math.random() * 2 ** 32),
    sessionId: randomUUID(),
    count: o.count ?? null,
    rate: o.rate ?? null,
  };

  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    // a second Ctrl-C does not wait for answers in flight
    if (signals > 1) process.exit(signal === "SIGINT" ? 130 : 143);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const tty = process.stdout.isTTY === true;
  let progressShown = false;
  const line = (text: string) => {
    if (progressShown) process.stdout.write("\n");
    progressShown = false;
    process.stdout.write(`${text}\n`);
  };
  const progress = (text: string) => {
    // on a terminal the progress line is rewritten in place; in a pipe or a log, one line per second
    if (tty) {
      process.stdout.write(`\r\x1b[2K${text}`);
      progressShown = true;
    } else process.stdout.write(`${text}\n`);
  };

  const mode = opts.rate !== null ? `load ${opts.rate}/s` : `every ${formatDuration(opts.intervalMs)}`;
  line(
    `mock modules → ${opts.url}  modules ${opts.modules.join(",")}  ${mode}` +
      `${opts.count !== null ? `  ${opts.count} round${opts.count === 1 ? "" : "s"}` : ""}  seed ${opts.seed}  session ${opts.sessionId}`,
  );
  const result = await runEmitter(opts, { line, progress, signal: controller.signal });
  line(formatSummary(result));

  // Only a run given --count has a verdict: it fails when anything was refused or never arrived.
  if (opts.count !== null) process.exitCode = result.refused > 0 || result.failed > 0 || result.interrupted ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`mock modules failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
