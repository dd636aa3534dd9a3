import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { ErrorCode } from "@bridge/shared";
import type { Response } from "express";
import type { Config } from "../config.js";
import { AppError, problemBody, sendProblem } from "./problem.js";

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The HTTP server for the app, shared by main.ts and the tests so both run the same limits:
 * - maxHeaderSize (MAX_HEADER_BYTES, default 16 KiB): larger headers get 431.
 * - requestTimeout (REQUEST_TIMEOUT_MS, default 30 s) for the whole request, headersTimeout
 *   (HEADERS_TIMEOUT_MS, default 10 s) for its headers: a client trickling its body a byte a second
 *   is answered 408 and cut off. Node checks deadlines every connectionsCheckingInterval; it is
 *   a quarter of the shorter deadline, between 100 ms and 1 s, so a cut-off comes at most ~1 s late.
 * Errors node's parser raises (431, 408, broken chunked encoding, a body cut short) are answered
 * with the same JSON problem body as everything else, through the app's response when the request
 * had already reached it (so its log line is written), or written raw when it had not.
 */
export function createServer(app: RequestListener, config: Config): Server {
  const { maxHeaderBytes, requestTimeoutMs } = config.server;
  // node refuses a headers deadline above the request deadline
  const headersTimeoutMs = Math.min(config.server.headersTimeoutMs, requestTimeoutMs);
  const server = createHttpServer(
    {
      maxHeaderSize: maxHeaderBytes,
      requestTimeout: requestTimeoutMs,
      headersTimeout: headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.max(100, Math.floor(headersTimeoutMs / 4))),
    },
    app,
  );

  // The response in progress on each socket, to answer a parser error through it.
  const inFlight = new WeakMap<Duplex, ServerResponse>();
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    inFlight.set(req.socket, res);
    const clear = () => {
      if (inFlight.get(req.socket) === res) inFlight.delete(req.socket);
    };
    res.once("finish", clear);
    res.once("close", clear);
  });

  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const problem = clientErrorProblem(err);
    const res = inFlight.get(socket);
    if (res && !res.headersSent && (res as Response).locals !== undefined) {
      // the request reached the app: answer through it, then close (the parser cannot continue)
      res.once("finish", () => socket.destroy());
      res.setHeader("Connection", "close");
      sendProblem(res as Response, problem);
      return;
    }
    if (res?.headersSent) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify(problemBody(problem.code, problem.detail, problem.fieldErrors));
    const head = [
      `HTTP/1.1 ${problem.status} ${STATUS_TEXT[problem.code] ?? "Bad Request"}`,
      "Content-Type: application/problem+json",
      `Content-Length: ${Buffer.byteLength(body)}`,
      "X-Content-Type-Options: nosniff",
      "Cache-Control: no-store",
      "Connection: close",
    ];
    socket.end(`${head.join("\r\n")}\r\n\r\n${body}`);
    // a client that never reads must not keep the socket: give the answer 1 s to flush
    setTimeout(() => socket.destroy(), 1000).unref();
  });
  return server;
}

const STATUS_TEXT: Partial<Record<ErrorCode, string>> = {
  header_too_large: "Request Header Fields Too Large",
  request_timeout: "Request Timeout",
  malformed_request: "Bad Request",
};

function clientErrorProblem(err: NodeJS.ErrnoException): AppError {
  switch (err.code) {
    case "HPE_HEADER_OVERFLOW":
      return new AppError("header_too_large", "Request headers are larger than the limit (MAX_HEADER_BYTES)", [
        { field: "headers", message: "are too large" },
      ]);
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new AppError("request_timeout", "The request was not received in time (REQUEST_TIMEOUT_MS)", [
        { field: "body", message: "did not arrive in time" },
      ]);
    case "HPE_INVALID_CHUNK_SIZE":
    case "HPE_INVALID_EOF_STATE":
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
    case "HPE_INVALID_TRANSFER_ENCODING":
    case "HPE_UNEXPECTED_CONTENT_LENGTH":
    case "HPE_INVALID_CONTENT_LENGTH":
      return new AppError("malformed_request", `The request body framing is broken (${err.code})`, [
        { field: "body", message: "framing (Content-Length or chunked encoding) is broken" },
      ]);
    default:
      return new AppError("malformed_request", `The request could not be parsed as HTTP/1.1 (${err.code ?? "parse error"})`, [
        { field: "request", message: "is not valid HTTP/1.1" },
      ]);
  }
}
