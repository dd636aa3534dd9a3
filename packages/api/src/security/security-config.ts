import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { resolve } from "node:path";
import { z } from "zod";
import { KeyRing, type KeyEntry, MIN_RECOMMENDED_KEY_LENGTH, parseKeyList } from "./api-keys.js";

/** Variables whose values are secrets: a configuration error names them but never prints their value. */
export const SECRET_VARIABLES = new Set<string>(["BRIDGE_API_KEYS", "BRIDGE_READ_KEYS"]);

const KEY_LIST_HINT = "must be key:scope entries separated by commas, e.g. k1:education|finance,k2:*,k3:admin";
const READ_KEY = /^[A-Za-z0-9._~+/=-]+$/;

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** The security part of the environment schema (spread into EnvSchema in config.ts). */
export const SecurityEnvShape = {
  /** key:scope entries, see api-keys.ts. */
  BRIDGE_API_KEYS: z.string().superRefine((text, ctx) => {
    const { errors } = parseKeyList(text);
    for (const e of errors) ctx.addIssue({ code: "custom", message: `${e}; ${KEY_LIST_HINT}` });
  }),
  /** A file holding key:scope entries, one per line or comma-separated, `#` comments allowed. */
  BRIDGE_API_KEYS_FILE: z.string().min(1),
  /** Keys that may only read (status, insight, metrics); comma-separated, no scope. */
  BRIDGE_READ_KEYS: z.string().superRefine((text, ctx) => {
    const keys = splitList(text);
    if (keys.length === 0 || keys.some((k) => !READ_KEY.test(k))) {
      ctx.addIssue({ code: "custom", message: "must be keys separated by commas, each of letters, digits and . _ ~ + / = -" });
    }
  }),
  BRIDGE_ALLOW_INSECURE: bool.default(false),
  /** Requests per minute per key (or per client address when keys are off); 0 turns limits off. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number({ message: "must be a number" }).int().min(0).max(10_000_000),
  /** Express "trust proxy": false (default), a hop count, or addresses/subnets of the proxies. */
  TRUST_PROXY: z.string().transform((v, ctx): boolean | number | string[] => {
    const t = v.trim().toLowerCase();
    if (t === "false" || t === "0" || t === "no") return false;
    if (t === "true" || t === "yes") return true;
    if (/^\d{1,2}$/.test(t)) return Number(t);
    const list = splitList(v);
    const named = new Set(["loopback", "linklocal", "uniquelocal"]);
    const bad = list.filter((p) => !named.has(p) && isIP(p.split("/")[0] ?? "") === 0);
    if (list.length === 0 || bad.length > 0) {
      ctx.addIssue({
        code: "custom",
        message: "must be false, a hop count (1), or proxy addresses/subnets such as loopback,10.0.0.0/8",
      });
      return z.NEVER;
    }
    return list;
  }),
  /** Origins allowed to call the api from a browser; "none" allows none. */
  CORS_ORIGINS: z.string().transform((v, ctx) => {
    if (v.trim().toLowerCase() === "none") return [];
    const list = splitList(v).map((o) => o.replace(/\/$/, ""));
    const bad = list.filter((o) => !ORIGIN.test(o));
    if (list.length === 0 || bad.length > 0) {
      ctx.addIssue({
        code: "custom",
        message: "must be origins such as http://localhost:8501 separated by commas (no paths, no *), or none",
      });
      return z.NEVER;
    }
    return list;
  }),
};

export interface SecurityConfig {
  /** Every configured key (API keys and read keys), held as digests only. */
  keyRing: KeyRing;
  /** POST /core/update needs a key (some API key is configured). */
  writeProtected: boolean;
  /** Read endpoints need a read or admin key (BRIDGE_READ_KEYS or a key with the read scope is configured). */
  readProtected: boolean;
  /** Operations need an admin key (any key is configured). */
  adminProtected: boolean;
  loopback: boolean;
  allowInsecure: boolean;
  /** Things worth saying at start (weak keys, open reads on a network address). Never contain a key. */
  warnings: string[];
}

export interface SecurityEnv {
  HOST: string;
  BRIDGE_API_KEYS?: string | undefined;
  BRIDGE_API_KEYS_FILE?: string | undefined;
  BRIDGE_READ_KEYS?: string | undefined;
  BRIDGE_ALLOW_INSECURE: boolean;
}

export const DEFAULT_CORS_ORIGINS = ["http://localhost:8501", "http://127.0.0.1:8501"];
/** Default when keys are configured (or the bind is not loopback): 1200/min = 20/s sustained per key,
 * far above what a Core module sends and low enough to stop a runaway loop or a key-guessing client. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 1200;

/** Loopback only: 127.0.0.0/8, ::1, localhost. A hostname is treated as reachable from outside. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  const v4 = h.startsWith("::ffff:") ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith("127.");
}

/**
 * Build the security configuration; pushes problems (naming variables, never printing keys) onto
 * `problems`. Refuses a non-loopback bind without write and read keys unless BRIDGE_ALLOW_INSECURE=true.
 */
export function buildSecurityConfig(env: SecurityEnv, root: string, problems: string[]): SecurityConfig {
  const entries: KeyEntry[] = [];
  const warnings: string[] = [];
  if (env.BRIDGE_API_KEYS) entries.push(...parseKeyList(env.BRIDGE_API_KEYS).entries);
  if (env.BRIDGE_API_KEYS_FILE) {
    const file = resolve(root, env.BRIDGE_API_KEYS_FILE);
    let text: string | null = null;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      problems.push(
        `BRIDGE_API_KEYS_FILE=${JSON.stringify(env.BRIDGE_API_KEYS_FILE)}: cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
    if (text !== null) {
      const parsed = parseKeyList(text);
      for (const e of parsed.errors) problems.push(`BRIDGE_API_KEYS_FILE=${JSON.stringify(env.BRIDGE_API_KEYS_FILE)}: ${e}`);
      if (parsed.errors.length === 0 && parsed.entries.length === 0) {
        problems.push(`BRIDGE_API_KEYS_FILE=${JSON.stringify(env.BRIDGE_API_KEYS_FILE)}: holds no key:scope entry`);
      }
      for (const e of parsed.entries) {
        if (entries.some((x) => x.key === e.key))
          problems.push("BRIDGE_API_KEYS_FILE: a key is also listed in BRIDGE_API_KEYS; keep one entry");
        else entries.push(e);
      }
    }
  }
  const apiKeyCount = entries.length;
  for (const key of env.BRIDGE_READ_KEYS ? splitList(env.BRIDGE_READ_KEYS) : []) {
    if (entries.some((x) => x.key === key)) {
      problems.push("BRIDGE_READ_KEYS: a read key is also an API key; give that key the read scope instead");
      continue;
    }
    entries.push({ key, scope: { modules: new Set(), read: true, admin: false } });
  }
  const weak = entries.filter((e) => e.key.length < MIN_RECOMMENDED_KEY_LENGTH).length;
  if (weak > 0) {
    warnings.push(
      `${weak} key(s) are shorter than ${MIN_RECOMMENDED_KEY_LENGTH} characters; create keys with \`openssl rand -hex 32\` (see docs/security.md)`,
    );
  }

  const keyRing = new KeyRing(entries);
  const writeProtected = apiKeyCount > 0;
  const readProtected = keyRing.some((s) => s.read);
  const loopback = isLoopbackHost(env.HOST);
  if (!loopback && !env.BRIDGE_ALLOW_INSECURE) {
    const missing = [
      ...(writeProtected
        ? []
        : ["no API keys (BRIDGE_API_KEYS or BRIDGE_API_KEYS_FILE), so anyone who reaches it could write as any module"]),
      ...(readProtected
        ? []
        : ["no read keys (BRIDGE_READ_KEYS or a key with the read scope), so anyone who reaches it could read every event"]),
    ];
    if (missing.length > 0) {
      problems.push(
        `HOST=${JSON.stringify(env.HOST)}: refusing to listen on a non-loopback address with ${missing.join(", and with ")}. ` +
          "Configure keys (docs/security.md), bind HOST=127.0.0.1, or set BRIDGE_ALLOW_INSECURE=true if an open bridge is really wanted.",
      );
    }
  }
  if (!loopback && env.BRIDGE_ALLOW_INSECURE && (!writeProtected || !readProtected)) {
    const open = [writeProtected ? null : "writes", readProtected ? null : "reads"].filter(Boolean).join(" and ");
    warnings.push(`listening on ${env.HOST} with ${open} open to anyone (BRIDGE_ALLOW_INSECURE=true)`);
  }
  return {
    keyRing,
    writeProtected,
    readProtected,
    adminProtected: keyRing.size > 0,
    loopback,
    allowInsecure: env.BRIDGE_ALLOW_INSECURE,
    warnings,
  };
}

function splitList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}
