import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DeliveryRig, startDeliveryRig } from "./delivery-helpers.js";
import { eventually } from "./helpers.js";
import { httpRequest } from "./raw-http.js";

/**
 * Properties over generated input, against a real bridge delivering to a mock Bucket:
 * whatever bytes or JSON arrive, the answer is never a 5xx; and whatever was accepted reads back
 * byte-for-byte equal (as JSON text) from GET /insight/events/:id and in what the Bucket received.
 * Run counts are modest (100–150 each) so the file stays at a few seconds; a failure prints its seed.
 */

let rig: DeliveryRig;
/** event id → the data as JSON text, for every update accepted during the run. */
const accepted = new Map<string, string>();

beforeAll(async () => {
  rig = await startDeliveryRig();
});
afterAll(async () => {
  await rig?.close();
});

const post = (body: string | Buffer) =>
  httpRequest(rig.bridge.url, { path: "/core/update", headers: { "content-type": "application/json" }, body });

/** Strings of any code point, including control and format characters and the keys that name prototypes. */
const anyString = fc.oneof(fc.string({ unit: "binary", maxLength: 40 }), fc.constantFrom("__proto__", "constructor", "prototype", ""));
const anyJson = fc.jsonValue({ stringUnit: "binary", maxDepth: 6 });
const moduleName = fc.oneof(
  fc.constantFrom("education", "finance", "creative", "constructor", "toString"),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,20}$/),
  anyString,
);
const update = fc.record(
  {
    module: moduleName,
    data: fc.oneof(fc.dictionary(anyString, anyJson, { maxKeys: 8 }), anyJson),
    session_id: fc.oneof(anyString, fc.uuid()),
  },
  { requiredKeys: ["module", "data"] },
);

describe("generated input", () => {
  it("when random bytes are posted as a JSON body, then the answer is a 4xx problem, never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
        const res = await post(Buffer.from(bytes));
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
      }),
      { numRuns: 150 },
    );
  });

  it("when any JSON value is posted, then it is accepted or refused with 422, never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(anyJson, async (value) => {
        const res = await post(JSON.stringify(value));
        expect([200, 422]).toContain(res.status);
      }),
      { numRuns: 100 },
    );
  });

  it("when generated updates are posted, then each is accepted or refused with 422, and the accepted data reads back equal", async () => {
    await fc.assert(
      fc.asyncProperty(update, async (body) => {
        const text = JSON.stringify(body);
        const res = await post(text);
        expect([200, 422], res.body).toContain(res.status);
        if (res.status !== 200) return;
        const { event_id } = JSON.parse(res.body) as { event_id: string };
        // what the bridge must keep: the data as the client's JSON text parses, re-serialised
        const expected = JSON.stringify((JSON.parse(text) as { data: unknown }).data);
        const detail = await httpRequest(rig.bridge.url, { method: "GET", path: `/insight/events/${event_id}` });
        expect(detail.status).toBe(200);
        expect(JSON.stringify((JSON.parse(detail.body) as { data: unknown }).data)).toBe(expected);
        accepted.set(event_id, expected);
      }),
      { numRuns: 150 },
    );
    expect(accepted.size).toBeGreaterThan(20);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("when the accepted updates have been delivered, then the Bucket holds each one's data exactly", async () => {
    expect(accepted.size).toBeGreaterThan(0);
    await eventually(() => [...accepted.keys()].every((id) => rig.bucket.get(id) !== undefined), 20_000);
    for (const [id, data] of accepted) expect(JSON.stringify(rig.bucket.get(id)?.data)).toBe(data);
  });
});
