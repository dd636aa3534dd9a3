import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { CoreSyncLogLine, ProblemDetails } from "@bridge/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startBridge, type TestBridge } from "./helpers.js";
import { httpRequest, type RawResponse, rawRequest } from "./raw-http.js";

/**
 * The hostile suite: every request below is something a broken or malicious client could send.
 * For each one: the exact status, a JSON problem naming what is wrong, the process still answering,
 * the counts unchanged (or +1 for the few that are valid and stored as plain data), and exactly the
 * expected core_sync.log lines (one per request that reached /core/update; none for requests node's
 * parser refuses before they are requests), every line a well-formed log line.
 */

type Send =
  | { http: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer } }
  | { raw: Array<string | Buffer>; end?: boolean };

interface Case {
  name: string;
  send: Send;
  status: number;
  /** Error code of the problem body; absent for accepted requests. */
  code?: string;
  /** A field the problem names. */
  field?: string;
  /** core_sync.log lines this request adds. */
  lines: 0 | 1;
  /** For accepted requests: the data as it must read back, and the module it is counted under. */
  accepted?: { module: string; data: unknown };
}

const JSON_TYPE = { "content-type": "application/json" };
const post = (body: string | Buffer, headers: Record<string, string> = JSON_TYPE): Send => ({
  http: { path: "/core/update", headers, body },
});
const postJson = (value: unknown): Send => post(JSON.stringify(value));
const get = (path: string): Send => ({ http: { method: "GET", path } });
const raw = (head: string, body = "", end = false): Send => ({ raw: [`${head}\r\n\r\n${body}`], end });
const ok = { module: "education", data: { lesson: 3 } };
const deep = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
const manyKeys = Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`k${i}`, i]));
const bigJson = Buffer.from(JSON.stringify({ module: "education", data: { x: "0".repeat(10 * 1024 * 1024) } }));

const cases: Case[] = [
  // --- malformed and truncated JSON: 400 malformed_json naming the body
  { name: "truncated JSON", send: post('{"module":"education",'), status: 400, code: "malformed_json", field: "body", lines: 1 },
  {
    name: "a missing closing brace",
    send: post('{"module":"education","data":{}'),
    status: 400,
    code: "malformed_json",
    field: "body",
    lines: 1,
  },
  {
    name: "trailing garbage",
    send: post('{"module":"education","data":{}}x'),
    status: 400,
    code: "malformed_json",
    field: "body",
    lines: 1,
  },
  { name: "single quotes", send: post("{'module':'education','data':{}}"), status: 400, code: "malformed_json", field: "body", lines: 1 },
  { name: "a NaN literal", send: post('{"module":"a","data":{"x":NaN}}'), status: 400, code: "malformed_json", field: "body", lines: 1 },
  {
    name: "an Infinity literal",
    send: post('{"module":"a","data":{"x":Infinity}}'),
    status: 400,
    code: "malformed_json",
    field: "body",
    lines: 1,
  },
  { name: "a trailing comma", send: post('{"module":"a","data":{"x":1,}}'), status: 400, code: "malformed_json", field: "body", lines: 1 },
  { name: "a comment", send: post('/* hi */{"module":"a","data":{}}'), status: 400, code: "malformed_json", field: "body", lines: 1 },
  { name: "an empty body", send: post(""), status: 400, code: "malformed_json", field: "body", lines: 1 },
  { name: "whitespace only", send: post(" \n\t "), status: 400, code: "malformed_json", field: "body", lines: 1 },
  // RFC 8259 lets a parser ignore a leading byte order mark; the UTF-8 decoder does
  {
    name: "a byte order mark (ignored)",
    send: post('\uFEFF{"module":"a","data":{}}'),
    status: 200,
    lines: 1,
    accepted: { module: "a", data: {} },
  },
  {
    name: "invalid UTF-8",
    send: post(Buffer.concat([Buffer.from('{"module":"a","data":{"x":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}}')])),
    status: 400,
    code: "malformed_json",
    field: "body",
    lines: 1,
  },
  {
    name: "a raw control byte in a string",
    send: post('{"module":"a","data":{"x":"a\u0001b"}}'),
    status: 400,
    code: "malformed_json",
    field: "body",
    lines: 1,
  },
  { name: "100 000 unbalanced brackets", send: post("[".repeat(100_000)), status: 400, code: "malformed_json", field: "body", lines: 1 },

  // --- wrong and missing content types: 415
  {
    name: "no content type",
    send: raw(`POST /core/update HTTP/1.1\r\nHost: t\r\nContent-Length: 2`, "{}"),
    status: 415,
    code: "unsupported_media_type",
    field: "header.content-type",
    lines: 1,
  },
  {
    name: "text/plain",
    send: post(JSON.stringify(ok), { "content-type": "text/plain" }),
    status: 415,
    code: "unsupported_media_type",
    field: "header.content-type",
    lines: 1,
  },
  {
    name: "a form",
    send: post("module=a&data=b", { "content-type": "application/x-www-form-urlencoded" }),
    status: 415,
    code: "unsupported_media_type",
    field: "header.content-type",
    lines: 1,
  },
  {
    name: "multipart",
    send: post("--x\r\n\r\n--x--", { "content-type": "multipart/form-data; boundary=x" }),
    status: 415,
    code: "unsupported_media_type",
    field: "header.content-type",
    lines: 1,
  },
  {
    name: "application/jsonx",
    send: post(JSON.stringify(ok), { "content-type": "application/jsonx" }),
    status: 415,
    code: "unsupported_media_type",
    field: "header.content-type",
    lines: 1,
  },
  {
    name: "a UTF-16 charset",
    send: post(JSON.stringify(ok), { "content-type": "application/json; charset=utf-16" }),
    status: 415,
    code: "unsupported_media_type",
    field: "header.content-type",
    lines: 1,
  },

  // --- top-level values that are not objects: 422 naming the body
  { name: "top-level null", send: post("null"), status: 422, code: "validation_failed", field: "body", lines: 1 },
  { name: "a top-level number", send: post("1"), status: 422, code: "validation_failed", field: "body", lines: 1 },
  { name: "a top-level string", send: post('"education"'), status: 422, code: "validation_failed", field: "body", lines: 1 },
  { name: "top-level true", send: post("true"), status: 422, code: "validation_failed", field: "body", lines: 1 },
  { name: "a top-level array of updates", send: postJson([ok]), status: 422, code: "validation_failed", field: "body", lines: 1 },

  // --- wrong types for every field: 422 naming the field
  {
    name: "module as a number",
    send: postJson({ module: 1, data: {} }),
    status: 422,
    code: "validation_failed",
    field: "module",
    lines: 1,
  },
  { name: "module as null", send: postJson({ module: null, data: {} }), status: 422, code: "validation_failed", field: "module", lines: 1 },
  {
    name: "module as an array",
    send: postJson({ module: ["education"], data: {} }),
    status: 422,
    code: "validation_failed",
    field: "module",
    lines: 1,
  },
  {
    name: "module as an object",
    send: postJson({ module: {}, data: {} }),
    status: 422,
    code: "validation_failed",
    field: "module",
    lines: 1,
  },
  {
    name: "module as a boolean",
    send: postJson({ module: true, data: {} }),
    status: 422,
    code: "validation_failed",
    field: "module",
    lines: 1,
  },
  { name: "no module", send: postJson({ data: {} }), status: 422, code: "validation_failed", field: "module", lines: 1 },
  { name: "data as a string", send: postJson({ module: "a", data: "x" }), status: 422, code: "validation_failed", field: "data", lines: 1 },
  { name: "data as a number", send: postJson({ module: "a", data: 7 }), status: 422, code: "validation_failed", field: "data", lines: 1 },
  {
    name: "data as a boolean",
    send: postJson({ module: "a", data: false }),
    status: 422,
    code: "validation_failed",
    field: "data",
    lines: 1,
  },
  { name: "data as an array", send: postJson({ module: "a", data: [] }), status: 422, code: "validation_failed", field: "data", lines: 1 },
  { name: "data as null", send: postJson({ module: "a", data: null }), status: 422, code: "validation_failed", field: "data", lines: 1 },
  { name: "no data", send: postJson({ module: "a" }), status: 422, code: "validation_failed", field: "data", lines: 1 },
  {
    name: "session_id as a number",
    send: postJson({ ...ok, session_id: 5 }),
    status: 422,
    code: "validation_failed",
    field: "session_id",
    lines: 1,
  },
  {
    name: "session_id as null",
    send: postJson({ ...ok, session_id: null }),
    status: 422,
    code: "validation_failed",
    field: "session_id",
    lines: 1,
  },
  {
    name: "session_id as an object",
    send: postJson({ ...ok, session_id: {} }),
    status: 422,
    code: "validation_failed",
    field: "session_id",
    lines: 1,
  },
  {
    name: "session_id as an array",
    send: postJson({ ...ok, session_id: ["s"] }),
    status: 422,
    code: "validation_failed",
    field: "session_id",
    lines: 1,
  },
  {
    name: "an unknown top-level field",
    send: postJson({ ...ok, admin: true }),
    status: 422,
    code: "validation_failed",
    field: "admin",
    lines: 1,
  },
  {
    name: "a top-level __proto__ key",
    send: post('{"__proto__":{"module":"x"},"module":"a","data":{}}'),
    status: 422,
    code: "validation_failed",
    field: "__proto__",
    lines: 1,
  },

  // --- out-of-range lengths and shapes
  { name: "an empty module", send: postJson({ module: "", data: {} }), status: 422, code: "validation_failed", field: "module", lines: 1 },
  {
    name: "a 65-char module",
    send: postJson({ module: "m".repeat(65), data: {} }),
    status: 422,
    code: "validation_failed",
    field: "module",
    lines: 1,
  },
  {
    name: "a module starting with a dash",
    send: postJson({ module: "-edu", data: {} }),
    status: 422,
    code: "validation_failed",
    field: "module",
    lines: 1,
  },
  {
    name: "module __proto__",
    send: postJson({ module: "__proto__", data: {} }),
    status: 422,
    code: "validation_failed",
    field: "module",
    lines: 1,
  },
  {
    name: "a path as module",
    send: postJson({ module: "../etc/passwd", data: {} }),
    status: 422,
    code: "validation_failed",
    field: "module",
    lines: 1,
  },
  {
    name: "an empty session_id",
    send: postJson({ ...ok, session_id: "" }),
    status: 422,
    code: "validation_failed",
    field: "session_id",
    lines: 1,
  },
  {
    name: "a 129-char session_id",
    send: postJson({ ...ok, session_id: "s".repeat(129) }),
    status: 422,
    code: "validation_failed",
    field: "session_id",
    lines: 1,
  },

  // --- unicode and control characters in every string field
  {
    name: "an accented module",
    send: postJson({ module: "éducation", data: {} }),
    status: 422,
    code: "validation_failed",
    field: "module",
    lines: 1,
  },
  {
    name: "a NUL in module",
    send: postJson({ module: "edu\u0000", data: {} }),
    status: 422,
    code: "validation_failed",
    field: "module",
    lines: 1,
  },
  {
    name: "a newline in module",
    send: postJson({ module: "edu\ncation", data: {} }),
    status: 422,
    code: "validation_failed",
    field: "module",
    lines: 1,
  },
  {
    name: "a bidi override in module",
    send: postJson({ module: "edu\u202e", data: {} }),
    status: 422,
    code: "validation_failed",
    field: "module",
    lines: 1,
  },
  {
    name: "a fullwidth module",
    send: postJson({ module: "ｅｄｕ", data: {} }),
    status: 422,
    code: "validation_failed",
    field: "module",
    lines: 1,
  },
  {
    name: "CR/LF and a forged log line in session_id",
    send: postJson({ ...ok, session_id: 'x\r\n{"level":"info","outcome":"accepted","module":"finance"}' }),
    status: 422,
    code: "validation_failed",
    field: "session_id",
    lines: 1,
  },
  {
    name: "a NUL in session_id",
    send: postJson({ ...ok, session_id: "a\u0000b" }),
    status: 422,
    code: "validation_failed",
    field: "session_id",
    lines: 1,
  },
  {
    name: "DEL in session_id",
    send: postJson({ ...ok, session_id: "a\u007fb" }),
    status: 422,
    code: "validation_failed",
    field: "session_id",
    lines: 1,
  },
  {
    name: "NEL in session_id",
    send: postJson({ ...ok, session_id: "a\u0085b" }),
    status: 422,
    code: "validation_failed",
    field: "session_id",
    lines: 1,
  },
  {
    name: "a line separator in session_id",
    send: postJson({ ...ok, session_id: "a\u2028b" }),
    status: 422,
    code: "validation_failed",
    field: "session_id",
    lines: 1,
  },
  {
    name: "a bidi override in session_id",
    send: postJson({ ...ok, session_id: "a\u202eb" }),
    status: 422,
    code: "validation_failed",
    field: "session_id",
    lines: 1,
  },
  {
    name: "a zero-width joiner in session_id",
    send: postJson({ ...ok, session_id: "a\u200db" }),
    status: 422,
    code: "validation_failed",
    field: "session_id",
    lines: 1,
  },
  {
    name: "a lone surrogate in session_id",
    send: post('{"module":"a","data":{},"session_id":"a\\ud800b"}'),
    status: 422,
    code: "validation_failed",
    field: "session_id",
    lines: 1,
  },
  {
    name: "an emoji session_id (valid)",
    send: postJson({ ...ok, session_id: "run-🚀-ü" }),
    status: 200,
    lines: 1,
    accepted: { module: "education", data: ok.data },
  },
  {
    name: "control characters, lone surrogates and CR/LF inside data (stored as plain data)",
    send: post('{"module":"creative","data":{"t\\r\\nx":"a\\u0000b\\u2028\\ud800","\\u202e":"\\u0007"}}'),
    status: 200,
    lines: 1,
    accepted: { module: "creative", data: { "t\r\nx": "a\u0000b\u2028\ud800", "\u202e": "\u0007" } },
  },
  {
    name: "a 256-char Idempotency-Key",
    send: post(JSON.stringify(ok), { ...JSON_TYPE, "idempotency-key": "k".repeat(256) }),
    status: 422,
    code: "validation_failed",
    field: "header.idempotency-key",
    lines: 1,
  },
  {
    name: "non-ASCII bytes in Idempotency-Key",
    send: {
      raw: [
        Buffer.from(
          `POST /core/update HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nIdempotency-Key: clé\r\nContent-Length: 2\r\n\r\n{}`,
          "utf8",
        ),
      ],
    },
    status: 422,
    code: "validation_failed",
    field: "header.idempotency-key",
    lines: 1,
  },

  // --- huge and deeply nested bodies
  {
    name: "a body over 1 MiB",
    send: postJson({ module: "a", data: { x: "y".repeat(1024 * 1024) } }),
    status: 413,
    code: "payload_too_large",
    field: "body",
    lines: 1,
  },
  {
    name: "a declared Content-Length of 1 TB",
    send: raw(`POST /core/update HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 1000000000000`, "{"),
    status: 413,
    code: "payload_too_large",
    field: "body",
    lines: 1,
  },
  {
    name: "a chunked body growing past 1 MiB",
    send: {
      raw: [
        `POST /core/update HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
        ...Array.from({ length: 5 }, () => `40000\r\n${"a".repeat(0x40000)}\r\n`),
        "0\r\n\r\n",
      ],
    },
    status: 413,
    code: "payload_too_large",
    field: "body",
    lines: 1,
  },
  {
    name: "data nested 33 deep",
    send: post(`{"module":"a","data":${deep(33)}}`),
    status: 422,
    code: "validation_failed",
    field: "data",
    lines: 1,
  },
  {
    name: "data nested 200 000 deep",
    send: post(`{"module":"a","data":{"x":${"[".repeat(200_000)}${"]".repeat(200_000)}}}`),
    status: 422,
    code: "validation_failed",
    field: "data",
    lines: 1,
  },
  {
    name: "10 001 keys in data",
    send: postJson({ module: "a", data: manyKeys }),
    status: 422,
    code: "validation_failed",
    field: "data",
    lines: 1,
  },

  // --- compressed bodies: accepted, limited after decompression
  {
    name: "a gzip body (valid)",
    send: post(gzipSync(JSON.stringify({ module: "finance", data: { gz: 1 } })), { ...JSON_TYPE, "content-encoding": "gzip" }),
    status: 200,
    lines: 1,
    accepted: { module: "finance", data: { gz: 1 } },
  },
  {
    name: "a deflate body (valid)",
    send: post(deflateSync(JSON.stringify({ module: "finance", data: { df: 1 } })), { ...JSON_TYPE, "content-encoding": "deflate" }),
    status: 200,
    lines: 1,
    accepted: { module: "finance", data: { df: 1 } },
  },
  {
    name: "a brotli body (valid)",
    send: post(brotliCompressSync(JSON.stringify({ module: "finance", data: { br: 1 } })), { ...JSON_TYPE, "content-encoding": "br" }),
    status: 200,
    lines: 1,
    accepted: { module: "finance", data: { br: 1 } },
  },
  {
    name: "a gzip bomb (10 MiB inflating from ~10 KiB)",
    send: post(gzipSync(bigJson), { ...JSON_TYPE, "content-encoding": "gzip" }),
    status: 413,
    code: "payload_too_large",
    field: "body",
    lines: 1,
  },
  {
    name: "a brotli bomb",
    send: post(brotliCompressSync(bigJson), { ...JSON_TYPE, "content-encoding": "br" }),
    status: 413,
    code: "payload_too_large",
    field: "body",
    lines: 1,
  },
  {
    name: "corrupt gzip",
    send: post(Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from("not gzip at all")]), {
      ...JSON_TYPE,
      "content-encoding": "gzip",
    }),
    status: 400,
    code: "malformed_request",
    field: "header.content-encoding",
    lines: 1,
  },
  {
    name: "plain JSON labelled gzip",
    send: post(JSON.stringify(ok), { ...JSON_TYPE, "content-encoding": "gzip" }),
    status: 400,
    code: "malformed_request",
    field: "header.content-encoding",
    lines: 1,
  },
  {
    name: "Content-Encoding compress",
    send: post("x", { ...JSON_TYPE, "content-encoding": "compress" }),
    status: 415,
    code: "unsupported_media_type",
    field: "header.content-encoding",
    lines: 1,
  },
  {
    name: "stacked encodings",
    send: post(gzipSync(gzipSync(JSON.stringify(ok))), { ...JSON_TYPE, "content-encoding": "gzip, gzip" }),
    status: 415,
    code: "unsupported_media_type",
    field: "header.content-encoding",
    lines: 1,
  },

  // --- duplicate and prototype keys: valid JSON, stored as plain data, last duplicate wins
  {
    name: "a duplicate module key",
    send: post('{"module":"education","module":"finance","data":{"dup":1}}'),
    status: 200,
    lines: 1,
    accepted: { module: "finance", data: { dup: 1 } },
  },
  {
    name: "__proto__ in data",
    send: post('{"module":"finance","data":{"__proto__":{"polluted":true},"n":1}}'),
    status: 200,
    lines: 1,
    accepted: { module: "finance", data: JSON.parse('{"__proto__":{"polluted":true},"n":1}') },
  },
  {
    name: "constructor.prototype in data",
    send: post('{"module":"finance","data":{"constructor":{"prototype":{"polluted":true}},"prototype":1}}'),
    status: 200,
    lines: 1,
    accepted: { module: "finance", data: { constructor: { prototype: { polluted: true } }, prototype: 1 } },
  },
  {
    name: "a module named constructor",
    send: postJson({ module: "constructor", data: { ok: true } }),
    status: 200,
    lines: 1,
    accepted: { module: "constructor", data: { ok: true } },
  },

  // --- bad query parameters on the read endpoints: 400 invalid_query naming the parameter
  { name: "limit=0", send: get("/insight/events?limit=0"), status: 400, code: "invalid_query", field: "query.limit", lines: 0 },
  { name: "limit=501", send: get("/insight/events?limit=501"), status: 400, code: "invalid_query", field: "query.limit", lines: 0 },
  { name: "limit=abc", send: get("/insight/events?limit=abc"), status: 400, code: "invalid_query", field: "query.limit", lines: 0 },
  { name: "limit=1.5", send: get("/insight/events?limit=1.5"), status: 400, code: "invalid_query", field: "query.limit", lines: 0 },
  { name: "limit=-1", send: get("/insight/events?limit=-1"), status: 400, code: "invalid_query", field: "query.limit", lines: 0 },
  { name: "limit=0x10", send: get("/insight/events?limit=0x10"), status: 400, code: "invalid_query", field: "query.limit", lines: 0 },
  { name: "limit=1e2", send: get("/insight/events?limit=1e2"), status: 400, code: "invalid_query", field: "query.limit", lines: 0 },
  {
    name: "a repeated limit",
    send: get("/insight/events?limit=1&limit=2"),
    status: 400,
    code: "invalid_query",
    field: "query.limit",
    lines: 0,
  },
  {
    name: "a malformed cursor",
    send: get("/insight/events?cursor=!!!"),
    status: 400,
    code: "invalid_query",
    field: "query.cursor",
    lines: 0,
  },
  {
    name: "a forged cursor",
    send: get("/insight/events?cursor=AAAA"),
    status: 400,
    code: "invalid_query",
    field: "query.cursor",
    lines: 0,
  },
  {
    name: "since=yesterday",
    send: get("/insight/events?since=yesterday"),
    status: 400,
    code: "invalid_query",
    field: "query.since",
    lines: 0,
  },
  {
    name: "month 13",
    send: get("/insight/events?since=2025-13-01T00:00:00Z"),
    status: 400,
    code: "invalid_query",
    field: "query.since",
    lines: 0,
  },
  {
    name: "since after until",
    send: get("/insight/events?since=2025-02-01T00:00:00Z&until=2025-01-01T00:00:00Z"),
    status: 400,
    code: "invalid_query",
    field: "query.since",
    lines: 0,
  },
  {
    name: "an unknown status",
    send: get("/insight/events?status=lost"),
    status: 400,
    code: "invalid_query",
    field: "query.status",
    lines: 0,
  },
  {
    name: "a module filter with a space",
    send: get("/insight/events?module=a%20b"),
    status: 400,
    code: "invalid_query",
    field: "query.module",
    lines: 0,
  },
  {
    name: "an unknown parameter",
    send: get("/insight/events?sql=1%3BDROP%20TABLE%20events"),
    status: 400,
    code: "invalid_query",
    field: "query.sql",
    lines: 0,
  },
  {
    name: "an unknown summary window",
    send: get("/insight/summary?window=2h"),
    status: 400,
    code: "invalid_query",
    field: "query.window",
    lines: 0,
  },
  { name: "an event id of 65 chars", send: get(`/insight/events/${"e".repeat(65)}`), status: 404, code: "not_found", lines: 0 },
  { name: "an event id with SQL", send: get("/insight/events/1'%20OR%20'1'%3D'1"), status: 404, code: "not_found", lines: 0 },

  // --- wrong methods and paths
  {
    name: "PUT /core/update",
    send: { http: { method: "PUT", path: "/core/update", headers: JSON_TYPE, body: JSON.stringify(ok) } },
    status: 405,
    code: "method_not_allowed",
    lines: 1,
  },
  { name: "GET /core/update", send: get("/core/update"), status: 405, code: "method_not_allowed", lines: 1 },
  {
    name: "DELETE /core/update",
    send: { http: { method: "DELETE", path: "/core/update" } },
    status: 405,
    code: "method_not_allowed",
    lines: 1,
  },
  {
    name: "DELETE /bucket/status",
    send: { http: { method: "DELETE", path: "/bucket/status" } },
    status: 405,
    code: "method_not_allowed",
    lines: 0,
  },
  {
    name: "POST /insight/events",
    send: { http: { method: "POST", path: "/insight/events", headers: JSON_TYPE, body: "{}" } },
    status: 405,
    code: "method_not_allowed",
    lines: 0,
  },
  {
    name: "an unknown route",
    send: { http: { method: "POST", path: "/core/updates", headers: JSON_TYPE, body: "{}" } },
    status: 404,
    code: "not_found",
    lines: 0,
  },

  // --- framing and headers, over a raw socket
  {
    name: "a 20 KiB header",
    send: raw(`GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: ${"a".repeat(20_000)}`),
    status: 431,
    code: "header_too_large",
    field: "headers",
    lines: 0,
  },
  {
    name: "300 headers of 100 bytes",
    send: raw(
      `POST /core/update HTTP/1.1\r\nHost: t\r\n${Array.from({ length: 300 }, (_, i) => `X-H${i}: ${"b".repeat(90)}`).join("\r\n")}`,
    ),
    status: 431,
    code: "header_too_large",
    field: "headers",
    lines: 0,
  },
  {
    name: "an invalid chunk size",
    send: raw(
      `POST /core/update HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked`,
      "zz\r\n{}\r\n0\r\n\r\n",
    ),
    status: 400,
    code: "malformed_request",
    field: "body",
    lines: 1,
  },
  {
    name: "a chunked body cut off before its last chunk",
    send: raw(`POST /core/update HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked`, '5\r\n{"mod', true),
    status: 400,
    code: "malformed_request",
    field: "body",
    lines: 1,
  },
  {
    name: "a body shorter than its Content-Length, then end of stream",
    send: raw(`POST /core/update HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100`, '{"module":"a"', true),
    status: 400,
    code: "malformed_request",
    field: "body",
    lines: 1,
  },
  {
    name: "a body shorter than its Content-Length, then silence",
    send: raw(`POST /core/update HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100`, '{"module":"a"'),
    status: 408,
    code: "request_timeout",
    field: "body",
    lines: 1,
  },
  {
    name: "both Content-Length and Transfer-Encoding",
    send: raw(
      `POST /core/update HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked`,
      "0\r\n\r\n",
    ),
    status: 400,
    code: "malformed_request",
    lines: 0,
  },
  {
    name: "two different Content-Lengths",
    send: raw(`POST /core/update HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3`, "{}"),
    status: 400,
    code: "malformed_request",
    lines: 0,
  },
  {
    name: "a negative Content-Length",
    send: raw(`POST /core/update HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: -1`, "{}"),
    status: 400,
    code: "malformed_request",
    lines: 0,
  },
  {
    name: "a bare CR inside a header",
    send: raw(
      `POST /core/update HTTP/1.1\r\nHost: t\r\nIdempotency-Key: a\rb\r\nContent-Type: application/json\r\nContent-Length: 2`,
      "{}",
    ),
    status: 400,
    code: "malformed_request",
    lines: 0,
  },
  { name: "a garbage request line", send: raw("GARBAGE"), status: 400, code: "malformed_request", field: "request", lines: 0 },
];

let bridge: TestBridge;
let port: number;

beforeAll(async () => {
  // a short request deadline so the "silence" case is answered in about a second
  bridge = await startBridge({ env: { REQUEST_TIMEOUT_MS: "1000" } });
  port = Number(new URL(bridge.url).port);
});
afterAll(async () => {
  await bridge?.close({ remove: true });
});

async function send(c: Case): Promise<RawResponse> {
  if ("http" in c.send) {
    const { method, path = "/core/update", headers, body } = c.send.http;
    return httpRequest(bridge.url, {
      method: method ?? "POST",
      path,
      ...(headers ? { headers } : {}),
      ...(body !== undefined ? { body } : {}),
    });
  }
  return rawRequest(port, c.send.raw, { end: c.send.end ?? false });
}

const coreSyncLines = () => bridge.logLines("logs/core_sync.log");
async function totalCount(): Promise<number> {
  const res = await httpRequest(bridge.url, { method: "GET", path: "/bucket/status" });
  return (JSON.parse(res.body) as { total_sync_count: number }).total_sync_count;
}

describe("hostile requests", () => {
  it("when the table is counted, then it holds at least 60 hostile requests", () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  it.each(cases)("when a client sends $name, then it answers $status $code and the bridge is unharmed", async (c) => {
    // counted from the state before this request, so one failing case does not fail the rest
    const linesBefore = coreSyncLines().length;
    const totalBefore = await totalCount();
    const res = await send(c);
    expect(res.status, res.body.slice(0, 300)).toBe(c.status);

    if (c.accepted) {
      const body = JSON.parse(res.body) as { event_id: string; status: string };
      expect(body.status).toBe("success");
      const detail = await httpRequest(bridge.url, { method: "GET", path: `/insight/events/${body.event_id}` });
      const stored = JSON.parse(detail.body) as { module: string; data: unknown };
      expect(stored.module).toBe(c.accepted.module);
      // compared as JSON text: key order, __proto__ keys and lone surrogates included
      expect(JSON.stringify(stored.data)).toBe(JSON.stringify(c.accepted.data));
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    } else {
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
      const problem = ProblemDetails.parse(JSON.parse(res.body));
      expect(problem.code).toBe(c.code);
      expect(problem.status).toBe(c.status);
      if (c.field) expect(problem.errors?.map((e) => e.field)).toContain(c.field);
      expect(res.body).not.toMatch(/at .*\.[jt]s:\d+|node:internal/);
    }
    // an id we did not issue is never echoed into a header
    if (res.headers["x-request-id"]) expect(res.headers["x-request-id"]).toMatch(/^[\w.:-]{1,64}$/);

    // the process answers, the counts moved only for what was accepted
    const health = await httpRequest(bridge.url, { method: "GET", path: "/healthz" });
    expect(health.status).toBe(200);
    expect(await totalCount()).toBe(totalBefore + (c.accepted ? 1 : 0));

    // exactly the expected log lines, each a well-formed line of its own (nothing injected)
    const expectedLines = linesBefore + c.lines;
    const lines = await eventually(() => {
      const l = coreSyncLines();
      return l.length >= expectedLines ? l : null;
    });
    expect(lines).toHaveLength(expectedLines);
    for (const line of lines) CoreSyncLogLine.strict().parse(line);
    if (c.lines === 1) {
      const last = lines[lines.length - 1];
      expect(last?.status).toBe(c.status);
      expect(last?.outcome).toBe(c.accepted ? "accepted" : "refused");
      if (!c.accepted) expect(last?.error_code).toBe(c.code);
    }
  });

  it("when the whole table has run, then the log holds one line per update request and the store one event per accepted one", async () => {
    const perUpdate = cases.filter((c) => c.lines === 1).length;
    const text = coreSyncLines();
    expect(text).toHaveLength(perUpdate);
    const events = JSON.parse((await httpRequest(bridge.url, { method: "GET", path: "/insight/events?limit=500" })).body) as {
      events: unknown[];
    };
    expect(events.events).toHaveLength(cases.filter((c) => c.accepted).length);
  });
});

describe("slow clients", () => {
  it("when a client sends its body one byte at a time, then it is cut off with 408 while another client is served", async () => {
    const body = JSON.stringify(ok);
    const head = `POST /core/update HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    // 200 ms a byte: the 1 s deadline passes after about five of the ~40 bytes
    const slow = rawRequest(port, [head, ...body.split("")], { gapMs: 200, timeoutMs: 15_000 });
    const totalBefore = await totalCount();
    const fast = await httpRequest(bridge.url, { path: "/core/update", headers: JSON_TYPE, body });
    expect(fast.status).toBe(200);
    const cut = await slow;
    expect(cut.status).toBe(408);
    expect(ProblemDetails.parse(JSON.parse(cut.body)).code).toBe("request_timeout");
    expect(cut.closed).toBe(true);
    expect(await totalCount()).toBe(totalBefore + 1);
  });
});
