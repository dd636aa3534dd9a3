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
/** Below 760 px the events are a list of cards instead of a table. */
const eventCards = (page: Page) => page.locator("ol.event-list > li");

/**
 * Whether an element is on screen as the user sees it, without scrolling sideways: inside the viewport's
 * width, not clipped by any ancestor that scrolls or hides overflow, and the topmost element at its centre.
 * Only the page is scrolled (vertically) to bring it up; scrollIntoView would also scroll clipping boxes.
 */
async function visibleWithoutSideScroll(page: Page, selector: string): Promise<{ visible: boolean; why: string }> {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el) return { visible: false, why: `no ${sel}` };
    const top = el.getBoundingClientRect().top + window.scrollY;
    window.scrollTo(0, Math.max(0, top - window.innerHeight / 2));
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.left < 0 || r.right > document.documentElement.clientWidth)
      return { visible: false, why: `outside the viewport: ${r.left}..${r.right}` };
    for (let a = el.parentElement; a; a = a.parentElement) {
      if (getComputedStyle(a).overflowX === "visible") continue;
      const b = a.getBoundingClientRect();
      if (r.left < b.left || r.right > b.right) return { visible: false, why: `clipped by ${a.className}: ${r.right} > ${b.right}` };
    }
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return hit && el.contains(hit) ? { visible: true, why: "" } : { visible: false, why: `covered by ${hit?.nodeName}` };
  }, selector);
}

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

  it("when the charts render, then both are SVG drawn from the data, and the throughput caption quotes what is drawn", async () => {
    // throughput: one stacked band per module across the zero-filled window, so each outline has many segments
    const throughput = page.getByTestId("throughput-chart");
    await throughput.locator("svg.recharts-surface").first().waitFor({ timeout: WAIT_MS });
    const lines = throughput.locator("path.recharts-area-curve");
    await until(async () => (await lines.count()) === 3, "three module bands");
    expect(await throughput.locator("path.recharts-area-area").count()).toBe(3);
    // a marker wherever a module had updates: a band one bucket wide still shows whose it is
    await until(async () => (await throughput.locator(".throughput-marker").count()) >= 3, "a marker per module");
    for (const d of await lines.evaluateAll((ps) => ps.map((p) => p.getAttribute("d") ?? ""))) {
      expect(d.match(/[LC]/g)?.length ?? 0).toBeGreaterThan(10);
    }
    const legend = await throughput.locator(".recharts-legend-item-text").allTextContents();
    expect(legend).toEqual(["creative", "education", "finance"]);
    // one-minute buckets hold whole counts: no 0.25 or 1.5 ticks
    // recharts 3 draws the tick labels in a layer of their own, outside the axis' <g>
    const tickLabels = throughput.locator(".recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value");
    const ticks = await tickLabels.allTextContents();
    expect(ticks.length).toBeGreaterThan(1);
    for (const t of ticks) expect(t).toMatch(/^\d+$/);
    // the 4 updates came within a minute or two: the stack's top (all modules) and the busiest module's own peak
    const caption = (await throughput.locator("figcaption").textContent()) ?? "";
    expect(caption).toMatch(/Peak [1-4]\/min in all; busiest single module (education|finance|creative), [12]\/min\./);
    const top = Number(caption.match(/Peak (\d+)\/min/)?.[1]);
    expect(Math.max(...ticks.map(Number))).toBeGreaterThanOrEqual(top);
    // the unit sits above the axis, clear of the tick labels
    const unit = await throughput.locator(".recharts-label").boundingBox();
    const tickTops = await tickLabels.evaluateAll((ts) => ts.map((t) => t.getBoundingClientRect().top));
    expect(unit).not.toBeNull();
    expect((unit?.y ?? 0) + (unit?.height ?? 0)).toBeLessThanOrEqual(Math.min(...tickTops));

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

  it("when a table is wider than its box, then the box is a labelled, focusable region with a visible hint, and the arrow keys scroll it", async () => {
    const regions = page.locator(".table-scroll");
    expect(await regions.count()).toBe(2);
    for (const name of ["Modules table", "Sync events table"]) {
      const region = page.getByRole("region", { name });
      expect(await region.getAttribute("tabindex")).toBe("0");
    }
    // at 1280 px both tables fit: no hint
    expect(await page.locator(".scroll-hint").count()).toBe(0);

    const other = await context.newPage();
    try {
      await other.goto(`${api.url}/?refresh=${REFRESH_MS}`);
      await textIs(other, "Total syncs", "4");
      await other.evaluate(() => {
        // a 200 px box: the 6-column modules table (about 580 px) is wider than it
        const box = document.querySelector<HTMLElement>("section.table-scroll");
        if (box) box.style.width = "200px";
      });
      const modules = other.getByRole("region", { name: "Modules table" });
      await other.locator(".scroll-hint").first().waitFor({ timeout: WAIT_MS });
      expect(await other.locator(".scroll-hint").first().textContent()).toMatch(/scroll sideways/);
      await modules.focus();
      expect(await other.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Modules table");
      await other.keyboard.press("ArrowRight");
      await until(async () => (await modules.evaluate((el) => el.scrollLeft)) > 0, "scrolled right with the arrow key");
    } finally {
      await other.close();
    }
    await page.bringToFront();
  });

  it("when screenshots are taken at 1280 and 390 px, then the page fits the width and they are saved", async () => {
    await textIs(page, "Total syncs", "4");
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-1280.png"), fullPage: true });
    await page.getByTestId("throughput-chart").screenshot({ path: join(ARTIFACTS, "dashboard-1280-throughput.png") });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);

    const narrow = await context.newPage();
    await narrow.setViewportSize({ width: 390, height: 844 });
    await narrow.goto(`${api.url}/?refresh=${REFRESH_MS}`);
    await textIs(narrow, "Total syncs", "4");
    try {
      await narrow.getByTestId("latency-chart").locator("path.recharts-curve").first().waitFor({ state: "attached", timeout: WAIT_MS });
      await until(async () => (await eventCards(narrow).count()) === 4, "event cards at 390 px");
      expect(await eventRows(narrow).count()).toBe(0);
      // the page itself never scrolls sideways
      expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      // what matters is on screen without a sideways scroll: the newest event's delivery status, time and module
      expect(await visibleWithoutSideScroll(narrow, "ol.event-list > li:first-child .badge")).toEqual({ visible: true, why: "" });
      expect(await visibleWithoutSideScroll(narrow, "ol.event-list > li:first-child time")).toEqual({ visible: true, why: "" });
      expect(await eventCards(narrow).first().textContent()).toMatch(/education.*(delivered|pending).*ms/s);
      // the modules table keeps 4 columns that fit: nothing clipped, so no scroll hint
      const modules = narrow.getByRole("region", { name: "Modules table" });
      expect(await modules.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
      expect(await modules.locator("thead th").allTextContents()).toEqual(["Module", "Last 1 h", "p95", "Last sync"]);
      expect(await visibleWithoutSideScroll(narrow, ".table-scroll tbody tr:first-child td:last-child time")).toEqual({
        visible: true,
        why: "",
      });
      expect(await narrow.locator(".scroll-hint").count()).toBe(0);
      await narrow.evaluate(() => window.scrollTo(0, 0));
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
    expect(await page.getByRole("alert").locator("p").first().textContent()).toBe(
      "The bridge shows its data only with a read key; enter the one its operator gave you.",
    );
    await page.getByLabel("Read key", { exact: true }).fill(KEY);
    await page.getByRole("button", { name: "Use this key" }).click();
    await textIs(page, "Total syncs", "1");
    expect(await page.getByRole("alert").count()).toBe(0);
    await page.reload();
    await textIs(page, "Total syncs", "1");
    await page.close();
  });
});
