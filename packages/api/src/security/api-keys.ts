import { createHash, timingSafeEqual } from "node:crypto";
import { ModuleName } from "@bridge/shared";

/**
 * API keys and what each may do.
 *
 * An entry is `key:scope`; a scope is one or more tokens joined by `|`:
 *   - a module name (`education`): may POST /core/update for that module
 *   - `*`: may POST for every module
 *   - `read`: may call the read endpoints (status, insight, metrics)
 *   - `admin`: may call the operations endpoints (replay) and the read endpoints
 * `admin` and `read` are reserved words: a module with one of those names is reached with `*`.
 */
export interface KeyScope {
  /** Modules this key may write: "*" for all, otherwise a Set (never a plain object: `constructor` is a valid module name). */
  modules: "*" | ReadonlySet<string>;
  read: boolean;
  admin: boolean;
}

/** Who made a request. `id` is a fingerprint of the key, safe for logs and rate-limit buckets; the key itself is kept nowhere. */
export interface Principal extends KeyScope {
  id: string;
}

export interface KeyEntry {
  key: string;
  scope: KeyScope;
}

/** Characters a key may use: the base64url / hex / token68 alphabet, so it fits a bearer header as is. */
const KEY_CHARS = /^[A-Za-z0-9._~+/=-]+$/;
export const MIN_RECOMMENDED_KEY_LENGTH = 32;

/** Parse a list of `key:scope` entries separated by commas or newlines; `#` starts a comment (for key files). */
export function parseKeyList(text: string): { entries: KeyEntry[]; errors: string[] } {
  const entries: KeyEntry[] = [];
  const errors: string[] = [];
  const items = text
    .split(/\r?\n/)
    .map((line) => line.replace(/(^|\s)#.*$/, ""))
    .flatMap((line) => line.split(","))
    .map((item) => item.trim())
    .filter((item) => item !== "");
  items.forEach((item, index) => {
    // error messages name the entry by position, never by its key
    const where = `entry ${index + 1}`;
    const colon = item.lastIndexOf(":");
    if (colon <= 0) {
      errors.push(`${where}: must be key:scope (scope: module names joined by |, *, read or admin)`);
      return;
    }
    const key = item.slice(0, colon);
    const scopeText = item.slice(colon + 1);
    if (!KEY_CHARS.test(key)) {
      errors.push(`${where}: the key may use only letters, digits and . _ ~ + / = -`);
      return;
    }
    const scope = parseScope(scopeText);
    if (typeof scope === "string") {
      errors.push(`${where}: ${scope}`);
      return;
    }
    if (entries.some((e) => e.key === key)) {
      errors.push(`${where}: the same key is listed twice; give it one entry with every scope joined by |`);
      return;
    }
    entries.push({ key, scope });
  });
  return { entries, errors };
}

/** A scope such as `education|finance`, `*`, `read`, `admin`, `education|read`; a string is an error message. */
export function parseScope(text: string): KeyScope | string {
  const tokens = text.split("|").map((t) => t.trim());
  if (tokens.length === 0 || tokens.some((t) => t === "")) return "the scope is empty (use module names joined by |, *, read or admin)";
  let all = false;
  let read = false;
  let admin = false;
  const modules = new Set<string>();
  for (const token of tokens) {
    if (token === "*") all = true;
    else if (token === "read") read = true;
    else if (token === "admin") admin = true;
    else if (ModuleName.safeParse(token).success) modules.add(token);
    else return `scope ${JSON.stringify(token.slice(0, 64))} is not a module name, *, read or admin`;
  }
  return { modules: all ? "*" : modules, read, admin };
}

const sha256 = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

/**
 * The configured keys, held as SHA-256 digests. Lookup hashes the presented token and compares it
 * with every digest using timingSafeEqual, without stopping at a match: the time taken depends on
 * neither the key's content nor its position (hashing first also makes the lengths equal).
 */
export class KeyRing {
  private readonly digests: Array<{ digest: Buffer; principal: Principal }>;

  constructor(entries: readonly KeyEntry[]) {
    this.digests = entries.map(({ key, scope }) => {
      const digest = sha256(key);
      return { digest, principal: { ...scope, id: keyId(digest) } };
    });
  }

  get size(): number {
    return this.digests.length;
  }

  /** The principal of a presented token, or null when it matches no key. */
  lookup(token: string): Principal | null {
    const presented = sha256(token);
    let found: Principal | null = null;
    for (const { digest, principal } of this.digests) {
      if (timingSafeEqual(presented, digest) && found === null) found = principal;
    }
    return found;
  }

  some(predicate: (scope: KeyScope) => boolean): boolean {
    return this.digests.some((d) => predicate(d.principal));
  }
}

/** `key-` and the first 12 hex digits of the key's SHA-256: tells keys apart in logs during rotation. */
export function keyId(digest: Buffer): string {
  return `key-${digest.subarray(0, 6).toString("hex")}`;
}

export function mayWriteModule(principal: KeyScope, module: string): boolean {
  return principal.modules === "*" || principal.modules.has(module);
}
