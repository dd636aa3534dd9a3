import { request } from "node:http";
import { connect } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection after its answer. */
  closed: boolean;
}

/**
 * Send bytes over a plain TCP socket and read one HTTP/1.1 answer: for what a well-behaved client
 * library refuses to send (broken chunked encoding, a body shorter than its Content-Length, huge headers).
 * `parts` are written in order, `gapMs` apart; `end` half-closes the socket after the last part.
 */
export function rawRequest(
  port: number,
  parts: Array<string | Buffer>,
  opts: { gapMs?: number; end?: boolean; timeoutMs?: number } = {},
): Promise<RawResponse> {
  const { gapMs = 0, end = false, timeoutMs = 10_000 } = opts;
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let settled = false;
    const timer = setTimeout(() => fail(new Error("no answer in time")), timeoutMs);
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const tryParse = (closed: boolean): boolean => {
      const all = Buffer.concat(chunks);
      const headEnd = all.indexOf("\r\n\r\n");
      if (headEnd < 0) return false;
      const head = all.subarray(0, headEnd).toString("latin1").split("\r\n");
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? "")?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const i = line.indexOf(":");
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const body = all.subarray(headEnd + 4);
      const length = headers["content-length"] === undefined ? null : Number(headers["content-length"]);
      if (length !== null && body.length < length) return false;
      if (length === null && !closed) return false;
      if (settled) return true;
      settled = true;
      clearTimeout(timer);
      // give the server a moment to close, so `closed` tells whether it did
      const finish = (c: boolean) => {
        socket.destroy();
        resolve({ status, headers, body: body.subarray(0, length ?? body.length).toString("utf8"), closed: c });
      };
      if (closed) finish(true);
      else {
        const t = setTimeout(() => finish(false), 200);
        socket.once("close", () => {
          clearTimeout(t);
          finish(true);
        });
      }
      return true;
    };
    socket.on("data", (d: Buffer) => {
      chunks.push(d);
      tryParse(false);
    });
    socket.on("close", () => {
      if (!tryParse(true))
        fail(new Error(`connection closed without a complete answer: ${Buffer.concat(chunks).toString("latin1").slice(0, 200)}`));
    });
    socket.on("error", () => {
      /* a reset after the answer is fine; close decides */
    });
    socket.once("connect", async () => {
      for (const [i, part] of parts.entries()) {
        if (i > 0 && gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
        if (settled || socket.destroyed) return;
        socket.write(part);
      }
      if (end) socket.end();
    });
  });
}

/** One request with node:http: any method, headers and body bytes as given (no defaults added but Host and Content-Length). */
export function httpRequest(
  url: string,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body, "utf8");
    const req = request(
      `${url}${opts.path}`,
      {
        method: opts.method ?? "POST",
        headers: { ...(body ? { "content-length": String(body.length) } : {}), ...opts.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("end", () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString("utf8"), closed: false });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
