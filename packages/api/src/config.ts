import { isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import { findRepoRoot } from "./paths.js";
import { buildDeliveryConfig, type DeliveryConfig, DeliveryEnvShape } from "./delivery/delivery-config.js";
import {
  buildSecurityConfig,
  DEFAULT_CORS_ORIGINS,
  DEFAULT_RATE_LIMIT_PER_MINUTE,
  SECRET_VARIABLES,
  type SecurityConfig,
  SecurityEnvShape,
} from "./security/security-config.js";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");
const int = (min: number, max: number) => z.coerce.number({ message: "must be a number" }).int().min(min).max(max);
/** Sizes accept a plain byte count or a unit: 512kb, 1mb, 10MiB. */
const bytes = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(b|kb|kib|mb|mib|gb|gib)?$/i, { message: "must be a size such as 1048576, 512kb or 1mb" })
  .transform((v) => {
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(v.trim());
    const n = Number(m?.[1]);
    const unit = (m?.[2] ?? "").toLowerCase();
    const mult = unit.startsWith("g") ? 1024 ** 3 : unit.startsWith("m") ? 1024 ** 2 : unit.startsWith("k") ? 1024 : 1;
    return Math.floor(n * mult);
  });

/** Every environment variable the api reads. Parsed once, at start; nothing else reads process.env. */
export const EnvSchema = z.object({
  PORT: int(0, 65535).default(8000),
  HOST: z.string().min(1).default("127.0.0.1"),
  BRIDGE_ROOT: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|file:|\/|\.|[A-Za-z]:\\|:memory:)/, {
      message: "must be a SQLite path or sqlite:/file: URL (PostgreSQL is not supported yet)",
    })
    .optional(),
  BUCKET_URL: z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).optional(),
  LOG_LEVEL: z.enum(["error", "warn", "info", "http", "verbose", "debug", "silly"]).default("info"),
  LOG_MAX_SIZE: bytes.default(10 * 1024 * 1024),
  LOG_MAX_FILES: int(1, 1000).default(5),
  LOG_PAYLOADS: bool.default(false),
  BODY_LIMIT: bytes.default(1024 * 1024),
  MAX_JSON_DEPTH: int(1, 1000).default(32),
  MAX_JSON_KEYS: int(1, 10_000_000).default(10_000),
  IDEMPOTENCY_TTL_HOURS: int(1, 24 * 30).default(24),
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
  // --- delivery to the Bucket (see docs/delivery.md) ---
  ...DeliveryEnvShape,
  // --- security and hardening (see docs/security.md) ---
  BRIDGE_API_KEYS: SecurityEnvShape.BRIDGE_API_KEYS.optional(),
  BRIDGE_API_KEYS_FILE: SecurityEnvShape.BRIDGE_API_KEYS_FILE.optional(),
  BRIDGE_READ_KEYS: SecurityEnvShape.BRIDGE_READ_KEYS.optional(),
  BRIDGE_ALLOW_INSECURE: SecurityEnvShape.BRIDGE_ALLOW_INSECURE,
  RATE_LIMIT_PER_MINUTE: SecurityEnvShape.RATE_LIMIT_PER_MINUTE.optional(),
  TRUST_PROXY: SecurityEnvShape.TRUST_PROXY.optional(),
  CORS_ORIGINS: SecurityEnvShape.CORS_ORIGINS.optional(),
  MAX_HEADER_BYTES: bytes.default(16 * 1024),
  REQUEST_TIMEOUT_MS: int(100, 3_600_000).default(30_000),
  HEADERS_TIMEOUT_MS: int(100, 3_600_000).default(10_000),
  /** The built dashboard the api serves at /; relative paths resolve from the repository root. */
  DASHBOARD_DIR: z.string().min(1).optional(),
});
export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  port: number;
  host: string;
  root: string;
  databasePath: string;
  bucketUrl: string | null;
  log: { level: Env["LOG_LEVEL"]; maxSize: number; maxFiles: number; payloads: boolean; coreSyncFile: string; flowFile: string };
  limits: { bodyBytes: number; jsonDepth: number; jsonKeys: number };
  idempotencyTtlMs: number;
  shutdownTimeoutMs: number;
  /** Delivery to BUCKET_URL: worker, retry schedule, concurrency, timeouts, token and signing secret. */
  delivery: DeliveryConfig;
  security: SecurityConfig;
  /** perMinute 0 = off; trustProxy is Express's "trust proxy" setting. */
  rateLimit: { perMinute: number; trustProxy: boolean | number | string[] };
  cors: { origins: string[] };
  /** node:http limits: header bytes (431 above), whole-request and headers deadlines (408 after). */
  server: { maxHeaderBytes: number; requestTimeoutMs: number; headersTimeoutMs: number };
  /** Folder of the built dashboard (index.html, assets/); the api still starts when it is missing. */
  dashboardDir: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parse the environment. Empty strings count as unset. Throws ConfigError naming every wrong variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.keys(EnvSchema.shape);
  const input: Record<string, string> = {};
  for (const key of known) {
    const v = env[key];
    if (v !== undefined && v !== "") input[key] = v;
  }
  const parsed = EnvSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0] ?? "?");
        // secrets are named, never printed
        const shown = SECRET_VARIABLES.has(name) ? "(value hidden)" : JSON.stringify(input[name] ?? "");
        return `${name}=${shown}: ${i.message}`;
      }),
    );
  }
  const e = parsed.data;
  const root = resolve(e.BRIDGE_ROOT ?? findRepoRoot() ?? process.cwd());
  const securityProblems: string[] = [];
  const security = buildSecurityConfig(e, root, securityProblems);
  if (securityProblems.length > 0) throw new ConfigError(securityProblems);
  const deliveryProblems: string[] = [];
  const delivery = buildDeliveryConfig(e, deliveryProblems);
  if (deliveryProblems.length > 0) throw new ConfigError(deliveryProblems);
  return {
    port: e.PORT,
    host: e.HOST,
    root,
    databasePath: resolveDatabasePath(e.DATABASE_URL, root),
    bucketUrl: e.BUCKET_URL ?? null,
    log: {
      level: e.LOG_LEVEL,
      maxSize: e.LOG_MAX_SIZE,
      maxFiles: e.LOG_MAX_FILES,
      payloads: e.LOG_PAYLOADS,
      coreSyncFile: join(root, "logs", "core_sync.log"),
      flowFile: join(root, "insight", "flow.log"),
    },
    limits: { bodyBytes: e.BODY_LIMIT, jsonDepth: e.MAX_JSON_DEPTH, jsonKeys: e.MAX_JSON_KEYS },
    idempotencyTtlMs: e.IDEMPOTENCY_TTL_HOURS * 3600_000,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    delivery,
    security,
    rateLimit: {
      // on by default once keys are configured or the bind is not loopback; off for local development and benchmarks
      perMinute: e.RATE_LIMIT_PER_MINUTE ?? (security.keyRing.size > 0 || !security.loopback ? DEFAULT_RATE_LIMIT_PER_MINUTE : 0),
      trustProxy: e.TRUST_PROXY ?? false,
    },
    cors: { origins: e.CORS_ORIGINS ?? DEFAULT_CORS_ORIGINS },
    server: { maxHeaderBytes: e.MAX_HEADER_BYTES, requestTimeoutMs: e.REQUEST_TIMEOUT_MS, headersTimeoutMs: e.HEADERS_TIMEOUT_MS },
    // from the repository root, not BRIDGE_ROOT: the bundle belongs to the code, the root to the data
    dashboardDir: resolve(findRepoRoot() ?? process.cwd(), e.DASHBOARD_DIR ?? join("packages", "dashboard", "dist")),
  };
}

function resolveDatabasePath(url: string | undefined, root: string): string {
  if (!url) return join(root, "data", "bridge.db");
  if (url === ":memory:") return url;
  const path = url.replace(/^sqlite:(\/\/)?/, "").replace(/^file:(\/\/)?/, "");
  return isAbsolute(path) ? path : resolve(root, path);
}

/** For entry points: the config, or a message naming every wrong variable and exit code 2. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every variable and its default.\n`);
      process.exit(2);
    }
    throw err;
  }
}
