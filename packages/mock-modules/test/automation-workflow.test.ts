import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { AUTOMATION_MODULE, AutomationReport, REPORT_FILE_PATTERN, reportFailures } from "@bridge/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../src/automation/report-writer.js";
import { type RunningBridge, startBridge } from "./automation-bridge.js";

/** Structural checks of automation/n8n_workflow.json that need no n8n. `pnpm verify:n8n` runs it in real
 * n8n 2.8.4 and writes automation/n8n-node-types.json, the node types and versions that n8n defines. */

interface WfNode {
  id: string;
  name: string;
  type: string;
  typeVersion: number;
  position: [number, number];
  parameters: Record<string, unknown>;
  credentials?: unknown;
  onError?: string;
}
interface Link {
  node: string;
  type: string;
  index: number;
}
interface Workflow {
  id: string;
  name: string;
  nodes: WfNode[];
  connections: Record<string, { main: Link[][] }>;
  settings?: Record<string, unknown>;
}

const root = repoRoot() as string;
const text = readFileSync(join(root, "automation", "n8n_workflow.json"), "utf8");
const wf = JSON.parse(text) as Workflow;
const catalog = JSON.parse(readFileSync(join(root, "automation", "n8n-node-types.json"), "utf8")) as {
  n8n_version: string;
  nodes: Record<string, number[]>;
};
const node = (name: string): WfNode => {
  const n = wf.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`no node named ${name}`);
  return n;
};
const TRIGGERS = ["n8n-nodes-base.scheduleTrigger", "n8n-nodes-base.manualTrigger"];
const httpNodes = () => wf.nodes.filter((n) => n.type === "n8n-nodes-base.httpRequest");
const configValues = () =>
  Object.fromEntries(
    (node("Config").parameters.assignments as { assignments: Array<{ name: string; value: unknown }> }).assignments.map((a) => [
      a.name,
      a.value,
    ]),
  );
/** What an `={{ … }}` parameter evaluates, given the variables it reads. */
const evaluate = (expr: string, vars: Record<string, unknown>): unknown => {
  const m = /^=\{\{([\s\S]*)\}\}$/.exec(expr);
  if (!m) throw new Error(`not an expression: ${expr}`);
  return runInNewContext(`(${m[1]})`, vars);
};

describe("automation/n8n_workflow.json: the file", () => {
  it("when read, then it is n8n's pretty-printed export format exactly (2 spaces, a final newline), so an export round-trip is stable", () => {
    expect(text).toBe(`${JSON.stringify(wf, null, 2)}\n`);
  });

  it("when imported, then the CLI can address it: a fixed id of at most 21 characters, a name, nodes and connections", () => {
    expect(wf.id).toMatch(/^[A-Za-z0-9]{1,21}$/);
    expect(wf.name.length).toBeGreaterThan(0);
    expect(wf.nodes.length).toBeGreaterThan(0);
    expect(typeof wf.connections).toBe("object");
    expect(wf.settings?.executionOrder).toBe("v1");
  });

  it("when checked against the node types n8n defines, then every node's type and typeVersion exists", () => {
    expect(catalog.n8n_version).toBe("2.8.4");
    const unknown = wf.nodes
      .filter((n) => !catalog.nodes[n.type]?.includes(n.typeVersion))
      .map((n) => `${n.name}: ${n.type} v${n.typeVersion}`);
    expect(unknown).toEqual([]);
  });

  it("when listed, then node names and ids are unique", () => {
    expect(new Set(wf.nodes.map((n) => n.name)).size).toBe(wf.nodes.length);
    expect(new Set(wf.nodes.map((n) => n.id)).size).toBe(wf.nodes.length);
  });

  it("when searched for secrets, then no node carries credentials and the api_key is empty", () => {
    expect(wf.nodes.filter((n) => n.credentials !== undefined)).toEqual([]);
    expect(configValues().api_key).toBe("");
    expect(text).not.toMatch(/Bearer [A-Za-z0-9]/);
  });
});

describe("automation/n8n_workflow.json: the flow", () => {
  it("when the connections are followed, then every link names an existing node and each output is used once", () => {
    const names = new Set(wf.nodes.map((n) => n.name));
    for (const [from, outputs] of Object.entries(wf.connections)) {
      expect(names.has(from), `source ${from}`).toBe(true);
      for (const out of outputs.main) for (const link of out) expect(names.has(link.node), `target ${link.node}`).toBe(true);
    }
  });

  it("when started by either trigger, then the run reaches every node in the documented order", () => {
    const next = (name: string) => (wf.connections[name]?.main ?? []).flat().map((l) => l.node);
    const chain = (from: string) => {
      const order: string[] = [];
      let at = [from];
      while (at.length > 0) {
        order.push(...at);
        at = at.flatMap(next).filter((n) => !order.includes(n));
      }
      return order;
    };
    const expected = [
      "Config",
      "Start run",
      "GET status (before)",
      "Build test update",
      "POST test update",
      "Mark POST end",
      "GET status (after)",
      "Mark status end",
      "Build report",
      "Report to JSON file",
      "Write report",
      "Check passed?",
      "Passed",
      "Fail loudly",
    ];
    expect(chain("Every 2 hours").slice(1)).toEqual(expected);
    expect(chain("Run now").slice(1)).toEqual(expected);
    const unreached = wf.nodes.filter(
      (n) => n.type !== "n8n-nodes-base.stickyNote" && !TRIGGERS.includes(n.type) && !expected.includes(n.name),
    );
    expect(unreached).toEqual([]);
  });

  it("when the schedule is read, then it fires every 2 hours, and it is the trigger listed first (the one n8n execute starts from)", () => {
    const triggers = wf.nodes.filter((n) => TRIGGERS.includes(n.type));
    expect(triggers.map((t) => t.type)).toEqual(TRIGGERS);
    expect(triggers[0]?.parameters).toEqual({ rule: { interval: [{ field: "hours", hoursInterval: 2 }] } });
  });

  it("when the check fails, then the report is written first and the If's false branch stops the execution with an error", () => {
    expect(wf.connections["Write report"]?.main[0]?.[0]?.node).toBe("Check passed?");
    expect(wf.connections["Check passed?"]?.main[1]?.[0]?.node).toBe("Fail loudly");
    expect(node("Fail loudly").type).toBe("n8n-nodes-base.stopAndError");
    expect(node("Write report").parameters.operation).toBe("write");
  });

  it("when a call errors, then the HTTP nodes pass the answer on (full response, never error, continue on failure) for the check to judge", () => {
    for (const n of httpNodes()) {
      expect(n.onError, n.name).toBe("continueRegularOutput");
      expect(n.parameters.options).toMatchObject({ response: { response: { fullResponse: true, neverError: true } }, timeout: 10000 });
    }
  });
});

describe("automation/n8n_workflow.json: what it calls", () => {
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await startBridge();
  });
  afterAll(async () => {
    await bridge.close();
  });

  it("when the Config node is read, then it holds the defaults: the bridge on 127.0.0.1:8000, no key, the automation module, automation/reports", () => {
    expect(configValues()).toEqual({
      bridge_url: "http://127.0.0.1:8000",
      api_key: "",
      module: AUTOMATION_MODULE,
      reports_dir: "automation/reports",
    });
  });

  it("when the HTTP nodes' URLs are evaluated, then they are routes the bridge documents in /openapi.json, with the right methods", async () => {
    const openapi = (await (await fetch(`${bridge.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const $ = () => ({ first: () => ({ json: { bridge_url: "http://127.0.0.1:8000/" } }) });
    const calls = httpNodes().map((n) => {
      const url = String(n.parameters.url);
      const m = /^(=\{\{[\s\S]*\}\})(\/.*)$/.exec(url);
      const base = m?.[1] ? evaluate(m[1], { $ }) : null;
      return { method: String(n.parameters.method ?? "GET"), base, path: m?.[2] ?? url };
    });
    expect(calls).toEqual([
      { method: "GET", base: "http://127.0.0.1:8000", path: "/bucket/status" },
      { method: "POST", base: "http://127.0.0.1:8000", path: "/core/update" },
      { method: "GET", base: "http://127.0.0.1:8000", path: "/bucket/status" },
    ]);
    for (const c of calls) expect(openapi.paths[c.path]?.[c.method.toLowerCase()], `${c.method} ${c.path}`).toBeDefined();
  });

  it("when the test update is built, then the body is a JSON object (not a JSON string) that the bridge accepts and counts", async () => {
    const post = node("POST test update");
    expect(post.parameters).toMatchObject({ sendBody: true, specifyBody: "json" });
    const sentAssignment = (
      node("Build test update").parameters.assignments as { assignments: Array<Record<string, string>> }
    ).assignments.find((a) => a.name === "sent");
    expect(sentAssignment?.type).toBe("object");
    const start = { run_id: "7-abc", started_at: "2026-12-03T10:00:00.000Z" };
    const $ = (name: string) => ({ first: () => ({ json: name === "Config" ? { module: AUTOMATION_MODULE } : start }) });
    const body = evaluate(String(sentAssignment?.value), { $ }) as Record<string, unknown>;
    expect(body).toEqual({
      module: AUTOMATION_MODULE,
      session_id: "automation-n8n-7-abc",
      data: { check: "bridge-automation", runner: "n8n", run_id: "7-abc", sent_at: start.started_at },
    });
    const res = await fetch(`${bridge.url}/core/update`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
  });

  it("when the key is set or not, then the Authorization header is sent only with a key", () => {
    const headersExpr = (node("Start run").parameters.assignments as { assignments: Array<Record<string, string>> }).assignments.find(
      (a) => a.name === "headers",
    )?.value;
    const withKey = (api_key: string) => evaluate(String(headersExpr), { $: () => ({ first: () => ({ json: { api_key } }) }) });
    expect(withKey("")).toEqual({});
    expect(withKey("k-123")).toEqual({ Authorization: "Bearer k-123" });
  });

  it("when the report file is named, then the name matches the shared REPORT_FILE_PATTERN", () => {
    const options = node("Report to JSON file").parameters.options as { fileName: string; format: boolean };
    expect(options.format).toBe(true);
    const name = evaluate(options.fileName, { $json: { started_at: "2026-12-03T14:50:00.123Z", run_id: "12-mx7ouk58" } });
    expect(name).toBe("automation-report-2026-12-03T14-50-00-123Z-n8n-12-mx7ouk58.json");
    expect(String(name)).toMatch(REPORT_FILE_PATTERN);
  });
});

describe("automation/n8n_workflow.json: the Build report node agrees with reportFailures", () => {
  const code = String(node("Build report").parameters.jsCode);
  const okStatus = (count: number) => ({
    statusCode: 200,
    body: {
      last_sync_time: null,
      total_sync_count: count,
      module_sync_counts: count ? { automation: count } : {},
      module_last_sync_time: {},
      delivery: {
        mode: "embedded",
        pending: 0,
        retrying: 0,
        delivered: count,
        dead: 0,
        oldest_pending_age_seconds: null,
        last_delivered_time: null,
      },
    },
  });
  const accepted = {
    statusCode: 200,
    body: { status: "success", timestamp: "2026-12-03T10:00:00.100Z", session_id: "s", message: "m", event_id: "e-1" },
  };
  const problem = (status: number) => ({
    statusCode: status,
    // application/problem+json reaches the node as text: n8n parses only application/json itself
    body: JSON.stringify({ type: "about:blank", title: "Unauthorized", status, detail: "no key", code: "unauthenticated" }),
  });
  const refused = { error: { message: "connect ECONNREFUSED 127.0.0.1:8000", code: "ECONNREFUSED" } };

  /** Run the node's JavaScript as n8n's Code node does (`$('Node').first().json`), on given HTTP outputs. */
  const build = (outputs: { before: unknown; post: unknown; after: unknown }): AutomationReport => {
    const data: Record<string, unknown> = {
      Config: { bridge_url: "http://127.0.0.1:8000", api_key: "k", module: AUTOMATION_MODULE, reports_dir: "automation/reports" },
      "Start run": { run_id: "3-x", started_at: "2026-12-03T10:00:00.000Z", t_start: 1000, headers: {} },
      "GET status (before)": outputs.before,
      "Build test update": { t: 1010, sent: { module: AUTOMATION_MODULE, session_id: "automation-n8n-3-x", data: { run_id: "3-x" } } },
      "POST test update": outputs.post,
      "Mark POST end": { t: 1030 },
      "GET status (after)": outputs.after,
      "Mark status end": { t: 1034 },
    };
    const $ = (name: string) => {
      if (!(name in data)) throw new Error(`the code reads an unknown node ${name}`);
      return { first: () => ({ json: data[name] }) };
    };
    const items = runInNewContext(`(function () {\n${code}\n})()`, { $ }) as Array<{ json: unknown }>;
    expect(items).toHaveLength(1);
    return AutomationReport.parse(items[0]?.json);
  };

  it.each([
    ["all answered and the update counted", { before: okStatus(4), post: accepted, after: okStatus(5) }, true],
    ["the first check of a fresh bridge", { before: okStatus(0), post: accepted, after: okStatus(1) }, true],
    ["the bridge is down", { before: refused, post: refused, after: refused }, false],
    ["the key is refused", { before: problem(401), post: problem(401), after: problem(401) }, false],
    ["the update was acknowledged but not counted", { before: okStatus(4), post: accepted, after: okStatus(4) }, false],
    [
      "the POST answered 2xx without an event_id",
      { before: okStatus(4), post: { statusCode: 200, body: "OK" }, after: okStatus(5) },
      false,
    ],
    ["storage is unavailable", { before: okStatus(4), post: problem(503), after: okStatus(4) }, false],
  ])("when %s, then the report validates and its failures are exactly reportFailures()", (_title, outputs, pass) => {
    const r = build(outputs);
    expect(r.pass).toBe(pass);
    expect(r.failures).toEqual(reportFailures(r));
    expect(r.runner).toBe("n8n");
    expect(r.steps.map((s) => s.latency_ms)).toEqual([10, 20, 4]);
  });

  it("when the bridge refuses with a problem body, then the report keeps it parsed and names the status", () => {
    const r = build({ before: problem(401), post: problem(401), after: problem(401) });
    expect(r.steps[1]?.response).toMatchObject({ code: "unauthenticated", status: 401 });
    expect(r.failures).toContain("POST /core/update answered 401, expected 2xx");
  });

  it("when a call did not answer, then the report carries n8n's error message", () => {
    const r = build({ before: refused, post: refused, after: refused });
    expect(r.steps.map((s) => [s.http_status, s.error])).toEqual([
      [null, "connect ECONNREFUSED 127.0.0.1:8000"],
      [null, "connect ECONNREFUSED 127.0.0.1:8000"],
      [null, "connect ECONNREFUSED 127.0.0.1:8000"],
    ]);
  });
});
