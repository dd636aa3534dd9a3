import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { EventsPage, StatusResponse } from "@bridge/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiClient } from "../../src/api/api-client.js";
import { ApiError } from "../../src/api/api-error.js";
import { removeRoot, type RunningApi, startApi } from "../support/bridge-api.js";

const READ_KEY = "dashboard-read-key-0123456789abcdef";

/** A server that answers every request with the given status, content type and body (a proxy, an old api). */
async function answering(status: number, type: string, body: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(status, { "content-type": type });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function caught(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(err)}`);
  return err;
}

describe("the fetch wrapper against a real api", () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startApi();
    await api.post("education", { lesson: 1 }, "s-1");
    await api.post("finance", { amount: 3 }, "s-2");
  });
  afterAll(async () => {
    await api.stop();
    removeRoot(api.root);
  });

  it("when the status is fetched, then it is parsed with the shared schema", async () => {
    const status = await createApiClient({ baseUrl: api.url, readKey: () => null }).get("/bucket/status", StatusResponse);
    expect(status.total_sync_count).toBe(2);
    expect(status.module_sync_counts).toEqual({ education: 1, finance: 1 });
  });

  it("when query parameters are given, then they are sent and empty ones left out", async () => {
    const page = await createApiClient({ baseUrl: api.url, readKey: () => null }).get("/insight/events", EventsPage, {
      params: { module: "finance", status: undefined, cursor: "", limit: 5 },
    });
    expect(page.events.map((e) => e.session_id)).toEqual(["s-2"]);
  });

  it("when the api refuses the query, then the problem body becomes a typed error naming the code and field", async () => {
    const err = await caught(
      createApiClient({ baseUrl: api.url, readKey: () => null }).get("/insight/events", EventsPage, { params: { limit: 100_000 } }),
    );
    expect(err.kind).toBe("problem");
    expect(err.status).toBe(400);
    expect(err.code).toBe("invalid_query");
    expect(err.problem?.errors?.[0]?.field).toBe("query.limit");
    expect(err.retryable).toBe(false);
  });

  it("when the body does not match the schema, then it is an invalid_response error saying where", async () => {
    // the status body read with the events schema: what a dashboard and an api out of step would see
    const err = await caught(createApiClient({ baseUrl: api.url, readKey: () => null }).get("/bucket/status", EventsPage));
    expect(err.kind).toBe("invalid_response");
    expect(err.message).toMatch(/events/);
  });
});

describe("the fetch wrapper and the read key", () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startApi({ env: { BRIDGE_READ_KEYS: READ_KEY } });
  });
  afterAll(async () => {
    await api.stop();
    removeRoot(api.root);
  });

  it("when the api needs a read key and none is given, then the error is unauthenticated", async () => {
    const err = await caught(createApiClient({ baseUrl: api.url, readKey: () => null }).get("/bucket/status", StatusResponse));
    expect(err.kind).toBe("unauthenticated");
    expect(err.status).toBe(401);
    expect(err.code).toBe("unauthenticated");
  });

  it("when a wrong key is given, then the error is unauthenticated too", async () => {
    const err = await caught(
      createApiClient({ baseUrl: api.url, readKey: () => "not-the-key-000000000000" }).get("/bucket/status", StatusResponse),
    );
    expect(err.kind).toBe("unauthenticated");
  });

  it("when the key is given, then it is sent as a bearer token and the read succeeds", async () => {
    const status = await createApiClient({ baseUrl: api.url, readKey: () => READ_KEY }).get("/bucket/status", StatusResponse);
    expect(status.total_sync_count).toBe(0);
  });
});

describe("the fetch wrapper when the api does not answer", () => {
  it("when nothing listens, then the error is unreachable and retryable", async () => {
    const api = await startApi();
    const { url } = api;
    await api.stop();
    removeRoot(api.root);
    const err = await caught(createApiClient({ baseUrl: url, readKey: () => null }).get("/bucket/status", StatusResponse));
    expect(err.kind).toBe("unreachable");
    expect(err.retryable).toBe(true);
  });

  it.each([
    [502, "text/html", "<html><body>Bad Gateway</body></html>"],
    [500, "text/plain", "Error occurred while trying to proxy"],
    [504, "application/json", '{"error":"timeout"}'],
  ])("when a proxy answers %i without a problem body, then the error is unreachable", async (status, type, body) => {
    const proxy = await answering(status, type, body);
    try {
      const err = await caught(createApiClient({ baseUrl: proxy.url, readKey: () => null }).get("/bucket/status", StatusResponse));
      expect(err.kind).toBe("unreachable");
      expect(err.status).toBe(status);
    } finally {
      await proxy.close();
    }
  });

  it("when a 200 is not JSON, then the error is invalid_response", async () => {
    const html = await answering(200, "text/html", "<!doctype html><title>not the api</title>");
    try {
      const err = await caught(createApiClient({ baseUrl: html.url, readKey: () => null }).get("/bucket/status", StatusResponse));
      expect(err.kind).toBe("invalid_response");
    } finally {
      await html.close();
    }
  });

  it("when the request is aborted, then the abort passes through (React Query cancels, it is not an outage)", async () => {
    const api = await startApi();
    try {
      const controller = new AbortController();
      controller.abort();
      const err = await createApiClient({ baseUrl: api.url, readKey: () => null })
        .get("/bucket/status", StatusResponse, { signal: controller.signal })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DOMException);
      expect((err as DOMException).name).toBe("AbortError");
    } finally {
      await api.stop();
      removeRoot(api.root);
    }
  });
});
