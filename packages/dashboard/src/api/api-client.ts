import { ProblemDetails } from "@bridge/shared";
import type { z } from "zod";
import { ApiError } from "./api-error.js";
import { currentReadKey } from "./read-key.js";

export type QueryParams = Record<string, string | number | undefined>;

export interface ApiClientOptions {
  /** Prefix for every path; "" (same origin) in the app, the test api's URL in tests. */
  baseUrl?: string;
  fetch?: typeof globalThis.fetch;
  /** Where the read key comes from; read on every request so a newly entered key applies at once. */
  readKey?: () => string | null;
}

export interface ApiClient {
  get<S extends z.ZodType>(path: string, schema: S, opts?: { params?: QueryParams; signal?: AbortSignal }): Promise<z.infer<S>>;
}

/** Keep messages short: the first issue of a schema mismatch is enough to see what is out of step. */
function describeIssues(error: z.ZodError): string {
  const first = error.issues[0];
  if (!first) return "unexpected shape";
  const at = first.path.length > 0 ? first.path.join(".") : "(root)";
  return `${at}: ${first.message}${error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : ""}`;
}

/**
 * The one fetch wrapper: GET JSON, send the read key as a bearer token when there is one, parse a
 * 2xx with the shared zod schema, and turn everything else into a typed ApiError.
 */
export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = (options.baseUrl ?? "").replace(/\/$/, "");
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const readKey = options.readKey ?? currentReadKey;

  return {
    async get(path, schema, opts = {}) {
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(opts.params ?? {})) if (v !== undefined && v !== "") query.set(k, String(v));
      const qs = query.toString();
      const url = `${baseUrl}${path}${qs ? `?${qs}` : ""}`;
      const headers: Record<string, string> = { Accept: "application/json" };
      const key = readKey();
      if (key) headers.Authorization = `Bearer ${key}`;

      let res: Response;
      try {
        res = await doFetch(url, { headers, ...(opts.signal ? { signal: opts.signal } : {}), cache: "no-store" });
      } catch (err) {
        if (err instanceof DOMException && err.name === "AbortError") throw err;
        throw new ApiError("unreachable", `The api did not answer (${err instanceof Error ? err.message : String(err)})`);
      }

      const text = await res.text().catch(() => "");
      let body: unknown = null;
      let isJson = false;
      try {
        body = text === "" ? null : JSON.parse(text);
        isJson = text !== "";
      } catch {
        // not JSON: an HTML error page from a proxy, or a truncated answer
      }

      if (!res.ok) {
        const problem = isJson ? ProblemDetails.safeParse(body) : null;
        const p = problem?.success ? problem.data : null;
        if (res.status === 401) throw new ApiError("unauthenticated", p?.detail ?? "This api needs a read key", 401, p);
        if (res.status === 403) throw new ApiError("forbidden", p?.detail ?? "This read key may not read", 403, p);
        // a 5xx without the bridge's problem body comes from something in between (dev proxy, gateway):
        // the bridge itself is not answering
        if (!p && res.status >= 500) throw new ApiError("unreachable", `The api did not answer (HTTP ${res.status})`, res.status);
        throw new ApiError("problem", p ? `${p.title}: ${p.detail}` : `HTTP ${res.status}`, res.status, p);
      }

      if (!isJson) throw new ApiError("invalid_response", `${path} answered ${res.status} without a JSON body`, res.status);
      const parsed = schema.safeParse(body);
      if (!parsed.success)
        throw new ApiError("invalid_response", `${path} answered an unexpected shape: ${describeIssues(parsed.error)}`, res.status);
      return parsed.data;
    },
  };
}
