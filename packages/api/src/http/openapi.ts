import {
  EventsPage,
  EventsQuery,
  HealthResponse,
  IngestRequest,
  IngestResponse,
  InsightEventDetail,
  ProblemDetails,
  ReadyResponse,
  StatusResponse,
  SummaryQuery,
  SummaryResponse,
} from "@bridge/shared";
import { z } from "zod";

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string) => ({ "application/json": { schema: ref(id) } });
const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: ref("ProblemDetails") } } });

function queryParams(schema: z.ZodObject): Array<Record<string, unknown>> {
  const js = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: "query",
    required: js.required?.includes(name) ?? false,
    schema: s,
  }));
}

/** The OpenAPI 3.1 document, generated from the shared zod schemas (the wire contract). */
export function buildOpenApi(): Record<string, unknown> {
  // Every shared schema with a meta id becomes a component; references between them stay $refs.
  void [
    IngestRequest,
    IngestResponse,
    StatusResponse,
    EventsPage,
    InsightEventDetail,
    SummaryResponse,
    ProblemDetails,
    HealthResponse,
    ReadyResponse,
  ];
  const { schemas: generated } = z.toJSONSchema(z.globalRegistry, {
    io: "output",
    unrepresentable: "any",
    uri: (id) => `#/components/schemas/${id}`,
  });
  const schemas: Record<string, unknown> = {};
  for (const [id, schema] of Object.entries(generated)) {
    const { $schema: _schema, $id: _id, ...body } = schema as Record<string, unknown>;
    schemas[id] = body;
  }
  const errors = {
    "400": problem("Malformed JSON or invalid query parameters"),
    "401": problem("Missing or unknown API key"),
    "403": problem("The key may not write this module"),
    "413": problem("Body too large"),
    "415": problem("Wrong content type or encoding"),
    "422": problem("Schema violation, naming the field"),
    "429": problem("Rate limited; see Retry-After"),
    "503": problem("Storage unavailable; see Retry-After"),
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "Core–Bucket Data Bridge",
      version: "0.1.0",
      description: "Core modules POST updates; the bridge stores them durably and delivers them to the Bucket.",
    },
    paths: {
      "/core/update": {
        post: {
          summary: "Receive an update from a Core module",
          parameters: [
            { name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", minLength: 1, maxLength: 255 } },
          ],
          requestBody: { required: true, content: json("IngestRequest") },
          responses: {
            "200": { description: "Stored durably", content: json("IngestResponse") },
            "409": problem("Same Idempotency-Key in flight"),
            ...errors,
          },
        },
      },
      "/bucket/status": {
        get: { summary: "Sync summary", responses: { "200": { description: "Counters", content: json("StatusResponse") } } },
      },
      "/bucket/replay": {
        post: {
          summary: "Re-queue dead letters (all, by module, by time range or by ids); needs an admin key once keys exist",
          requestBody: { required: true, content: json("ReplayRequest") },
          responses: {
            "200": { description: "How many were queued", content: json("ReplayResponse") },
            "400": errors["400"],
            "401": errors["401"],
            "403": problem("The key is not an admin key"),
            "415": errors["415"],
            "422": errors["422"],
          },
        },
      },
      "/insight/events": {
        get: {
          summary: "Events, newest first, keyset-paginated",
          parameters: queryParams(EventsQuery),
          responses: { "200": { description: "A page", content: json("EventsPage") }, "400": errors["400"] },
        },
      },
      "/insight/events/{id}": {
        get: {
          summary: "One event with its data and delivery attempts",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": { description: "The event", content: json("InsightEventDetail") }, "404": problem("No such event") },
        },
      },
      "/insight/summary": {
        get: {
          summary: "Time-bucketed counts per module and latency (avg, p95)",
          parameters: queryParams(SummaryQuery),
          responses: { "200": { description: "Summary", content: json("SummaryResponse") }, "400": errors["400"] },
        },
      },
      "/healthz": { get: { summary: "Liveness", responses: { "200": { description: "Up", content: json("HealthResponse") } } } },
      "/readyz": {
        get: {
          summary: "Readiness: storage and log files writable",
          responses: {
            "200": { description: "Ready", content: json("ReadyResponse") },
            "503": { description: "Not ready", content: json("ReadyResponse") },
          },
        },
      },
      "/metrics": { get: { summary: "Prometheus metrics", responses: { "200": { description: "text/plain exposition format" } } } },
    },
    components: { schemas },
  };
}
