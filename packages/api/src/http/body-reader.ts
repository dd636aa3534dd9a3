import type { Request } from "express";
import { bodyEncoding } from "./content-encoding.js";
import { AppError } from "./problem.js";

/** `application/json` or any `application/*+json`, with optional parameters (charset=utf-8). */
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export function assertJsonContentType(req: Request): void {
  const type = req.headers["content-type"];
  if (!type || !JSON_TYPE.test(type)) {
    throw new AppError(
      "unsupported_media_type",
      `Content-Type must be application/json (got ${type ? JSON.stringify(type.slice(0, 100)) : "none"})`,
      [{ field: "header.content-type", message: "must be application/json" }],
    );
  }
  const charset = /;\s*charset=("?)([^";]+)\1/i.exec(type)?.[2];
  if (charset && !/^utf-?8$/i.test(charset)) {
    throw new AppError("unsupported_media_type", `Only UTF-8 bodies are accepted (got charset ${charset.slice(0, 40)})`, [
      { field: "header.content-type", message: "charset must be utf-8" },
    ]);
  }
  // gzip, deflate and br are accepted and limited after decompression (content-encoding.ts); others 415
  bodyEncoding(req.headers["content-encoding"]);
}

/**
 * Read the whole body into one Buffer, refusing more than `limit` bytes (by Content-Length before
 * reading, or while reading). A lean reader: express.json() costs ~20% of the ingest rate.
 */
export function readBody(req: Request, limit: number): Promise<Buffer> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: unknown, value?: Buffer) => {
      if (done) return;
      done = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onAborted);
      if (err) reject(err);
      else resolve(value as Buffer);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // stop buffering; the rest of the body is discarded and the connection closed after the answer
        req.unpipe();
        req.resume();
        finish(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish(null, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    const onError = (err: Error) => finish(new AppError("malformed_json", `Request body could not be read: ${err.message}`));
    const onAborted = () => finish(new AppError("malformed_json", "Request body was cut off before its end"));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onAborted);
  });
}

function tooLarge(limit: number): AppError {
  return new AppError("payload_too_large", `Request body exceeds the limit of ${limit} bytes`, [
    { field: "body", message: `must be at most ${limit} bytes` },
  ]);
}

/** Parse a UTF-8 JSON body. Invalid UTF-8 or JSON → 400 naming the position. */
export function parseJson(buf: Buffer): unknown {
  if (buf.length === 0)
    throw new AppError("malformed_json", "Request body is empty; send a JSON object", [{ field: "body", message: "is empty" }]);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(buf);
  } catch {
    throw new AppError("malformed_json", "Request body is not valid UTF-8", [{ field: "body", message: "is not valid UTF-8" }]);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message : "invalid JSON";
    throw new AppError("malformed_json", `Request body is not valid JSON: ${why.slice(0, 200)}`, [
      { field: "body", message: "is not valid JSON" },
    ]);
  }
}

/**
 * Depth and total key count of a JSON value, and the path of the first number that is not finite
 * (JSON.parse turns 1e400 into Infinity, which would be stored and forwarded as null). Walked
 * without recursion, so deep input cannot overflow the stack; paths are built only for containers.
 */
export function measureJson(value: unknown, stopAtDepth: number, root = "data"): { depth: number; keys: number; nonFinite: string | null } {
  let maxDepth = 0;
  let keys = 0;
  let nonFinite: string | null = null;
  const stack: Array<[unknown, number, string]> = [[value, 1, root]];
  while (stack.length > 0) {
    const [v, d, path] = stack.pop() as [unknown, number, string];
    if (typeof v === "number") {
      if (nonFinite === null && !Number.isFinite(v)) nonFinite = path;
      continue;
    }
    if (typeof v !== "object" || v === null) continue;
    if (d > maxDepth) maxDepth = d;
    if (maxDepth > stopAtDepth) break;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], d + 1, `${path}[${i}]`]);
    } else {
      for (const k of Object.keys(v)) {
        keys++;
        stack.push([(v as Record<string, unknown>)[k], d + 1, `${path}.${k}`]);
      }
    }
  }
  return { depth: maxDepth, keys, nonFinite };
}
