import { z } from "zod";
import { IsoTimestamp, JsonObject, ModuleName, SessionId } from "./common.js";

/** The module the automation check writes as, so that it never pollutes a real module's counts. */
export const AUTOMATION_MODULE = "automation";

/** The three calls of one check, in order. */
export const CheckStepName = z.enum(["status_before", "post_update", "status_after"]);
export type CheckStepName = z.infer<typeof CheckStepName>;

/** How each step names itself in a failure message. */
export const CHECK_STEP_LABELS: Record<CheckStepName, string> = {
  status_before: "GET /bucket/status (before)",
  post_update: "POST /core/update",
  status_after: "GET /bucket/status (after)",
};

export const CheckStep = z
  .object({
    step: CheckStepName,
    method: z.enum(["GET", "POST"]),
    url: z.string().min(1),
    http_status: z.number().int().min(100).max(599).nullable().meta({ description: "null when no HTTP answer arrived" }),
    ok: z.boolean().meta({ description: "true when the call answered 2xx" }),
    latency_ms: z.number().nonnegative().meta({ description: "Request sent to answer read (n8n: node start to node end)" }),
    error: z.string().nullable().meta({ description: "Why no answer arrived (connection refused, timeout); null otherwise" }),
    response: z.unknown().meta({ description: "The answer's body: parsed JSON, text, or null" }),
  })
  .meta({ id: "CheckStep" });
export type CheckStep = z.infer<typeof CheckStep>;

/** One automation report: a file automation/reports/automation-report-<time>-<runner>-<run id>.json,
 * written by the n8n workflow and by `pnpm automation:check` alike. */
export const AutomationReport = z
  .object({
    report_version: z.literal(1),
    runner: z.enum(["n8n", "cli"]),
    run_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    started_at: IsoTimestamp,
    finished_at: IsoTimestamp,
    bridge_url: z.string().min(1),
    used_api_key: z.boolean().meta({ description: "Whether an Authorization header was sent (the key itself never is in a report)" }),
    sent: z.strictObject({ module: ModuleName, session_id: SessionId, data: JsonObject }).meta({ description: "The test update's body" }),
    steps: z.tuple([
      CheckStep.extend({ step: z.literal("status_before") }),
      CheckStep.extend({ step: z.literal("post_update") }),
      CheckStep.extend({ step: z.literal("status_after") }),
    ]),
    event_id: z.string().nullable().meta({ description: "The event_id the bridge gave the test update" }),
    counts: z
      .object({ before: z.number().int().nonnegative().nullable(), after: z.number().int().nonnegative().nullable() })
      .meta({ description: "module_sync_counts of the test module before and after the update; null when not read" }),
    pass: z.boolean(),
    failures: z.array(z.string()).meta({ description: "Why the check failed, one line each; empty when it passed" }),
  })
  .refine((r) => r.pass === (r.failures.length === 0), { message: "pass must be true exactly when failures is empty", path: ["pass"] })
  .meta({ id: "AutomationReport" });
export type AutomationReport = z.infer<typeof AutomationReport>;

/** The check's rule, as data in, messages out. The n8n workflow's "Build report" node spells out the same
 * rule in an expression; the verification run asserts that both agree on n8n's own report. */
export function reportFailures(r: Pick<AutomationReport, "steps" | "event_id" | "counts" | "sent">): string[] {
  const failures: string[] = [];
  for (const s of r.steps) {
    const label = CHECK_STEP_LABELS[s.step];
    if (s.http_status === null) failures.push(`${label} did not answer: ${s.error ?? "no response"}`);
    else if (!s.ok) failures.push(`${label} answered ${s.http_status}, expected 2xx`);
  }
  const [, post, after] = r.steps;
  if (post.ok && r.event_id === null) failures.push(`${CHECK_STEP_LABELS.post_update} answered without an event_id`);
  if (post.ok && after.ok) {
    const expected = (r.counts.before ?? 0) + 1;
    if (r.counts.after === null) failures.push(`${CHECK_STEP_LABELS.status_after} answered without module_sync_counts`);
    else if (r.counts.after < expected) {
      failures.push(
        `the test update was not counted: module_sync_counts.${r.sent.module} went from ${r.counts.before ?? 0} to ${r.counts.after}`,
      );
    }
  }
  return failures;
}

/** Report file names sort by time: automation-report-2026-12-03T14-50-00-123Z-cli-<run id>.json. */
export const REPORT_FILE_PATTERN = /^automation-report-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-(n8n|cli)-[A-Za-z0-9_-]{1,64}\.json$/;

export function reportFileName(r: Pick<AutomationReport, "started_at" | "runner" | "run_id">): string {
  return `automation-report-${r.started_at.replace(/[:.]/g, "-")}-${r.runner}-${r.run_id}.json`;
}
