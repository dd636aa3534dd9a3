import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeRoot, type RunningApi, startApi } from "../support/bridge-api.js";
import { DIST } from "./build-dist.js";
import { launchChromium } from "./chromium.js";

const ARTIFACTS = fileURLToPath(new URL("../../../../artifacts", import.meta.url));
/** 1 s instead of 10 s, through the URL parameter the built bundle reads. */
const REFRESH_MS = 1000;
/** Bounds for the waits below (not timings under test): a few refreshes on a busy 2-core machine. */
const WAIT_MS = 15_000;
const ZONE = "Europe/Berlin";

const stat = (page: Page, label: string) => page.locator(`dt:text-is("${label}") + dd .stat-value`);
const eventRows = (page: Page) => page.locator("table.events-table tbody tr");

async function until<T>(check: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`not seen within ${WAIT_MS} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const textIs = (page: Page, label: string, value: string) =>
  until(async () => (await stat(page, label).textContent()) === value, `${label} = ${value}`);

describe("the built dashboard in Chromium, served by the api", () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let api: RunningApi;
  let navigations = 0;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    api = await startApi({ env: { DASHBOARD_DIR: DIST } });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: ZONE, locale: "en-GB" });
    page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("framenavigated", (f) => {
      if (f === page.mainFrame()) navigations++;
    });
    await page.goto(`${api.url}/?refresh=${REFRESH_MS}`);
  });

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    if (api) removeRoot(api.root);
  });

  it("when nothing has synced, then the page from / shows the empty state with the mock hint", async () => {
    await page.getByRole("heading", { name: "No events yet" }).waitFor({ timeout: WAIT_MS });
    expect(await page.locator("code", { hasText: "pnpm mock" }).count()).toBe(1);
    expect(await page.locator("header").getByText(`times in ${ZONE}`).count()).toBe(1);
    await textIs(page, "Total syncs", "0");
  });

  it("when updates are posted, then the table and the totals show them within one refresh, without a reload", async () => {
    const before = navigations;
    const sent = [];
    for (const [m, s] of [
      ["education", "lesson-3"],
      ["finance", "ledger-7"],
      ["creative", "sketch-1"],
      ["education", "lesson-4"],
    ] as const) {
      sent.push(await api.post(m, { from: "browser-test", pad: "x".repeat(100) }, s));
    }
    await textIs(page, "Total syncs", "4");
    await until(async () => (await eventRows(page).count()) === 4, "four rows");
    expect(await eventRows(page).first().textContent()).toContain("lesson-4");
    expect(await eventRows(page).first().textContent()).toContain("education");
    expect(await eventRows(page).nth(3).textContent()).toContain("lesson-3");
    await until(async () => (await stat(page, "Syncs, last 1 h").textContent()) === "4", "window count 4");
    expect(await page.getByRole("heading", { name: "No events yet" }).count()).toBe(0);
    // the hover text is the absolute time in the viewer's zone
    const title = await eventRows(page).first().locator("time").getAttribute("title");
    expect(title).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (CET|CEST|GMT\+\d)$/);
    expect(navigations).toBe(before);
    expect(sent).toHaveLength(4);
  });

  it("when the charts render, then both are SVG drawn from the data", async () => {
    // throughput: one line per module across the zero-filled window, so each path has many segments
    const throughput = page.getByTestId("throughput-chart");
    await throughput.locator("svg.recharts-surface").first().waitFor({ timeout: WAIT_MS });
    const lines = throughput.locator("path.recharts-line-curve");
    await until(async () => (await lines.count()) === 3, "three module lines");
    for (const d of await lines.evaluateAll((ps) => ps.map((p) => p.getAttribute("d") ?? ""))) {
      expect(d.match(/[LC]/g)?.length ?? 0).toBeGreaterThan(10);
    }
    const legend = await throughput.locator(".recharts-legend-item-text").allTextContents();
    expect(legend).toEqual(["creative", "education", "finance"]);

    // latency: empty minutes are gaps, so the updates just posted show as dots of the average and p95 lines
    const latency = page.getByTestId("latency-chart");
    await latency.locator("svg.recharts-surface").first().waitFor({ timeout: WAIT_MS });
    await until(async () => (await latency.locator(".recharts-line-dots circle").count()) >= 2, "latency points");
    expect(await latency.locator(".recharts-legend-item-text").allTextContents()).toEqual(["average", "p95"]);
  });

  it("when a module filter is chosen, then the table narrows to it; clearing it brings all rows back", async () => {
    await page.getByLabel("Module", { exact: true }).selectOption("education");
    await until(async () => (await eventRows(page).count()) === 2, "two education rows");
    for (const text of await eventRows(page).allTextContents()) expect(text).toContain("education");
    await page.getByLabel("Delivery status").selectOption("dead");
    await until(async () => (await eventRows(page).first().textContent())?.includes("No events match these filters."), "no dead events");
    await page.getByLabel("Delivery status").selectOption("");
    await page.getByLabel("Module", { exact: true }).selectOption("");
    await until(async () => (await eventRows(page).count()) === 4, "all rows again");
  });

  it("when the controls are used from the keyboard, then they work without a mouse", async () => {
    await page.getByRole("radio", { name: "Last 1 h" }).focus();
    await page.keyboard.press("ArrowRight");
    await until(async () => page.getByRole("radio", { name: "Last 24 h" }).isChecked(), "24 h picked with the arrow key");
    await textIs(page, "Syncs, last 24 h", "4");
    await page.keyboard.press("ArrowLeft");
    await until(async () => page.getByRole("radio", { name: "Last 1 h" }).isChecked(), "1 h picked again");
    await page.getByRole("button", { name: "Pause auto-refresh" }).focus();
    await page.keyboard.press("Enter");
    await until(
      async () => (await page.getByRole("button", { name: "Resume auto-refresh" }).getAttribute("aria-pressed")) === "true",
      "paused",
    );
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Pause auto-refresh" }).waitFor({ timeout: WAIT_MS });
  });

  it("when screenshots are taken at 1280 and 390 px, then the page fits the width and they are saved", async () => {
    await textIs(page, "Total syncs", "4");
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-1280.png"), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);

    const narrow = await context.newPage();
    await narrow.setViewportSize({ width: 390, height: 844 });
    await narrow.goto(`${api.url}/?refresh=${REFRESH_MS}`);
    await textIs(narrow, "Total syncs", "4");
    try {
      await narrow.getByTestId("latency-chart").locator("path.recharts-curve").first().waitFor({ state: "attached", timeout: WAIT_MS });
      await until(async () => (await eventRows(narrow).count()) === 4, "rows at 390 px");
      // the tables scroll inside their panels; the page itself never scrolls sideways
      expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await narrow.screenshot({ path: join(ARTIFACTS, "dashboard-390.png"), fullPage: true });
    } finally {
      await narrow.close();
    }
    // the first tab polls only while it is the visible one (React Query pauses hidden tabs)
    await page.bringToFront();
  });

  it("when the api stops, then the stale state shows over the last data; when it starts again on the same port, then the page recovers by itself", async () => {
    const before = navigations;
    const { root, port } = api;
    await api.stop();
    const banner = page.getByTestId("stale-banner");
    await banner.waitFor({ timeout: WAIT_MS });
    expect(await banner.textContent()).toMatch(/API unreachable.*Stale since \d\d:\d\d:\d\d/s);
    expect(await stat(page, "Total syncs").textContent()).toBe("4");
    expect(await eventRows(page).count()).toBe(4);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-1280-stale.png"), fullPage: false });

    api = await startApi({ root, port, env: { DASHBOARD_DIR: DIST } });
    await api.post("finance", { after: "restart" }, "after-restart");
    await banner.waitFor({ state: "detached", timeout: WAIT_MS });
    await textIs(page, "Total syncs", "5");
    await until(async () => (await eventRows(page).first().textContent())?.includes("after-restart"), "new row after the restart");
    expect(navigations).toBe(before);
    expect(pageErrors).toEqual([]);
  });
});

describe("the built dashboard and a read key", () => {
  const KEY = "browser-test-read-key-0001";
  let browser: Browser;
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi({ env: { DASHBOARD_DIR: DIST, BRIDGE_READ_KEYS: KEY } });
    await api.post("education", { n: 1 }, "keyed");
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    if (api) removeRoot(api.root);
  });

  it("when the api needs a read key, then the page asks for it, and once entered the data loads and survives a reload of the tab", async () => {
    const page = await browser.newPage();
    await page.goto(`${api.url}/?refresh=${REFRESH_MS}`);
    await page.getByRole("heading", { name: "This dashboard needs a read key" }).waitFor({ timeout: WAIT_MS });
    await page.getByLabel("Read key", { exact: true }).fill(KEY);
    await page.getByRole("button", { name: "Use this key" }).click();
    await textIs(page, "Total syncs", "1");
    expect(await page.getByRole("alert").count()).toBe(0);
    await page.reload();
    await textIs(page, "Total syncs", "1");
    await page.close();
  });
});
