import { Agent } from "undici";
import type { Clock } from "../clock.js";
import { iso } from "../clock.js";
import type { ClaimedDelivery } from "../storage/event-store.js";
import { parseRetryAfter } from "./retry-policy.js";
import { signingKey, signWebhook } from "./webhook-signature.js";

/** The part of fetch the client uses, so tests and other transports can stand in. */
export type FetchLike = (
  url: string,
  init: { method: "POST"; headers: Record<string, string>; body: string; signal: AbortSignal; redirect: "manual" },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

/** What one attempt came back with: an HTTP answer, or none (refused, reset, timed out). */
export type SendResult =
  | { kind: "response"; status: number; retryAfterMs: number | null; body: string }
  | { kind: "network"; error: string; timedOut: boolean };

export interface BucketClient {
  send(delivery: ClaimedDelivery, signal: AbortSignal): Promise<SendResult>;
  close(): Promise<void>;
}

export interface BucketClientOptions {
  url: string;
  token: string | null;
  signingSecret: string | null;
  timeoutMs: number;
  clock: Clock;
  /** Default: undici's request() over a keep-alive Agent with `connections` sockets at most. */
  fetch?: FetchLike;
  connections?: number;
}

/** The attempt-number header: 1 for the first attempt; a replayed event keeps counting. */
export const ATTEMPT_HEADER = "Delivery-Attempt";
/** Error reasons kept in storage and logs are cut to this many characters. */
const REASON_MAX = 300;

/**
 * The JSON body of one delivery (BucketDelivery in @bridge/shared). `data` is spliced in as the
 * exact text stored at ingest: no re-serialisation, and the signature covers these very bytes.
 */
export function deliveryBody(d: ClaimedDelivery): string {
  return (
    `{"event_id":${JSON.stringify(d.id)},"module":${JSON.stringify(d.module)},"session_id":${JSON.stringify(d.sessionId)},` +
    `"sequence":${d.moduleSeq},"received_at":"${iso(d.receivedAt)}","data":${d.dataJson}}`
  );
}

export function createBucketClient(opts: BucketClientOptions): BucketClient {
  // Keep-alive: one pool of at most `connections` sockets, reused across attempts. Idle sockets
  // close after 4 s, under the 5 s a Node server keeps them, so a request never races a close.
  const agent = opts.fetch ? null : new Agent({ connections: opts.connections ?? 16, keepAliveTimeout: 4000, pipelining: 1 });
  const doFetch: FetchLike = opts.fetch ?? agentRequest(agent as Agent);
  const key = opts.signingSecret ? signingKey(opts.signingSecret) : null;

  return {
    async send(d, stop) {
      const body = deliveryBody(d);
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "user-agent": "core-bucket-bridge/0.1",
        "idempotency-key": d.id,
        [ATTEMPT_HEADER]: String(d.attempt),
      };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      if (key) {
        const ts = Math.floor(opts.clock.now() / 1000);
        headers["webhook-id"] = d.id;
        headers["webhook-timestamp"] = String(ts);
        headers["webhook-signature"] = signWebhook(key, d.id, ts, body);
      }
      // One controller per attempt, aborted by its timeout or by the worker stopping. (Not
      // AbortSignal.any: on Node 20 each combined signal stays referenced by the long-lived one.)
      const ctl = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        ctl.abort();
      }, opts.timeoutMs);
      const onStop = () => ctl.abort();
      if (stop.aborted) ctl.abort();
      else stop.addEventListener("abort", onStop, { once: true });
      const signal = ctl.signal;
      try {
        const res = await doFetch(opts.url, { method: "POST", headers, body, signal, redirect: "manual" });
        // read the answer to its end, so the socket goes back to the pool
        const text = await res.text();
        return {
          kind: "response",
          status: res.status,
          retryAfterMs: parseRetryAfter(res.headers.get("retry-after"), opts.clock.now()),
          body: oneLine(text),
        };
      } catch (err) {
        if (timedOut) return { kind: "network", error: `timed out after ${opts.timeoutMs} ms`, timedOut: true };
        if (stop.aborted) return { kind: "network", error: "aborted: worker stopping", timedOut: false };
        return { kind: "network", error: describeNetworkError(err), timedOut: false };
      } finally {
        clearTimeout(timer);
        stop.removeEventListener("abort", onStop);
      }
    },
    async close() {
      await agent?.close();
    },
  };
}

/**
 * undici's request() on the keep-alive Agent, shaped as FetchLike. Cheaper per call than fetch()
 * (which streams the body chunk by chunk), and like redirect: "manual" it never follows redirects.
 */
function agentRequest(agent: Agent): FetchLike {
  return async (url, init) => {
    const target = new URL(url);
    const res = await agent.request({
      origin: target.origin,
      path: `${target.pathname}${target.search}`,
      method: init.method,
      headers: init.headers,
      body: init.body,
      signal: init.signal,
    });
    return {
      status: res.statusCode,
      headers: {
        get(name: string) {
          const v = res.headers[name.toLowerCase()];
          return Array.isArray(v) ? v.join(", ") : (v ?? null);
        },
      },
      text: () => res.body.text(),
    };
  };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, REASON_MAX);
}

/** fetch wraps the socket error in `cause`: report its code (ECONNREFUSED, ECONNRESET, …). */
function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code;
  const msg = cause?.message ?? (err instanceof Error ? err.message : String(err));
  return oneLine(code && !msg.includes(code) ? `${code}: ${msg}` : msg);
}
