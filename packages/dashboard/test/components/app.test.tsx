import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { READ_KEY_STORAGE_KEY } from "../../src/api/read-key.js";
import { NARROW_QUERY } from "../../src/lib/use-media-query.js";
import { removeRoot, type RunningApi, startApi } from "../support/bridge-api.js";
import { eventRows, renderApp, statValue, TEST_REFRESH_MS } from "./render-app.js";

// a refresh every 300 ms, one retry after 1 s for an outage: 10 s covers either with room on a busy 2-core machine
const WAIT = { timeout: 10_000 };
const started: RunningApi[] = [];
async function api(env: Record<string, string> = {}, opts: { root?: string; port?: number } = {}): Promise<RunningApi> {
  const a = await startApi({ env, ...opts });
  started.push(a);
  return a;
}
afterEach(async () => {
  const roots = new Set(started.map((a) => a.root));
  await Promise.all(started.splice(0).map((a) => a.stop()));
  for (const r of roots) removeRoot(r);
});

describe("the dashboard's states", () => {
  it("when the first answers have not come yet, then a loading state shows, then the data", async () => {
    const a = await api();
    await a.post("education");
    renderApp(a.url);
    expect(screen.getByRole("status")).toHaveTextContent(/loading/i);
    await waitFor(() => expect(statValue("Total syncs")).toBe("1"), WAIT);
    expect(screen.queryByText(/loading the bridge/i)).not.toBeInTheDocument();
  });

  it("when the bridge has no events yet, then the empty state says to run the mock modules", async () => {
    const a = await api();
    renderApp(a.url);
    const empty = await screen.findByRole("status", { name: /no events yet/i }, WAIT);
    expect(empty).toHaveTextContent("pnpm mock");
    expect(statValue("Total syncs")).toBe("0");
    await waitFor(() => expect(eventRows()[0]).toHaveTextContent("No events yet."), WAIT);
  });

  it("when updates arrive, then totals, modules and the table show them within a refresh, without a reload", async () => {
    const a = await api();
    await a.post("education", { lesson: 1 }, "session-a");
    await a.post("finance", { amount: 2 }, "session-b");
    renderApp(a.url);
    await waitFor(() => expect(statValue("Total syncs")).toBe("2"), WAIT);
    await waitFor(
      () => expect(eventRows().map((r) => within(r).getAllByRole("cell")[1]?.textContent?.trim())).toEqual(["finance", "education"]),
      WAIT,
    );

    await a.post("creative", { sketch: 3 }, "session-c");
    await waitFor(() => expect(statValue("Total syncs")).toBe("3"), WAIT);
    await waitFor(() => expect(eventRows()[0]).toHaveTextContent("creative"), WAIT);
    expect(eventRows()[0]).toHaveTextContent("session-c");
    // embedded mode stores it as delivered at once; with a delivery worker it may still be pending
    expect(eventRows()[0]).toHaveTextContent(/delivered|pending/);
    const modules = screen.getByRole("table", { name: /per module/i });
    expect(within(modules).getByRole("rowheader", { name: /creative/ })).toBeInTheDocument();
    expect(statValue("Syncs, last 1 h")).toBe("3");
    expect(screen.getByTestId("updated")).toHaveTextContent(/Updated \d+ s ago/);
  });

  it("when the api stops answering, then the last data stays with the time it went stale; when it is back, then it recovers by itself", async () => {
    const a = await api();
    await a.post("education");
    await a.post("education");
    renderApp(a.url);
    await waitFor(() => expect(statValue("Total syncs")).toBe("2"), WAIT);
    await waitFor(() => expect(eventRows()).toHaveLength(2), WAIT);

    await a.stop();
    const banner = await screen.findByTestId("stale-banner", {}, WAIT);
    expect(banner).toHaveTextContent(/API unreachable/);
    expect(banner).toHaveTextContent(/Stale since \d\d:\d\d:\d\d/);
    expect(banner).toHaveTextContent("Retrying every 0 s"); // 300 ms, in whole seconds
    expect(statValue("Total syncs")).toBe("2");
    expect(eventRows()).toHaveLength(2);

    const back = await api({}, { root: a.root, port: a.port });
    await back.post("finance");
    await waitFor(() => expect(screen.queryByTestId("stale-banner")).not.toBeInTheDocument(), WAIT);
    await waitFor(() => expect(statValue("Total syncs")).toBe("3"), WAIT);
  });

  it("when the api needs a read key, then the dashboard asks for one, and the entered key loads the data and stays in this tab", async () => {
    const key = "dashboard-test-read-key-42";
    const a = await api({ BRIDGE_READ_KEYS: key });
    await a.post("education");
    renderApp(a.url);
    const alert = await screen.findByRole("alert", { name: /needs a read key/i }, WAIT);
    // one sentence for a person, not the api's header recipe for clients
    expect(within(alert).getAllByRole("paragraph")[0]).toHaveTextContent(
      /^The bridge shows its data only with a read key; enter the one its operator gave you\.$/,
    );
    expect(alert).not.toHaveTextContent(/Bearer|BRIDGE_READ_KEYS|An API key is required/);
    const user = userEvent.setup();
    await user.type(within(alert).getByLabelText("Read key"), key);
    await user.click(within(alert).getByRole("button", { name: "Use this key" }));
    await waitFor(() => expect(statValue("Total syncs")).toBe("1"), WAIT);
    await waitFor(() => expect(screen.queryByRole("alert")).not.toBeInTheDocument(), WAIT);
    expect(sessionStorage.getItem(READ_KEY_STORAGE_KEY)).toBe(key);
  });

  it("when the entered read key is wrong, then the dashboard says it was refused", async () => {
    const a = await api({ BRIDGE_READ_KEYS: "the-right-key-000000000" });
    sessionStorage.setItem(READ_KEY_STORAGE_KEY, "a-wrong-key-1111111111");
    renderApp(a.url);
    const alert = await screen.findByRole("alert", { name: /read key was refused/i }, WAIT);
    expect(within(alert).getByRole("button", { name: /forget/i })).toBeInTheDocument();
    expect(alert).toHaveTextContent("The bridge does not know this key; check it, or ask the bridge's operator for a valid read key.");
    expect(alert).not.toHaveTextContent(/Bearer|The API key is not known/);
  });

  it("when the api answers a shape this dashboard does not know, then an error state names what is off", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"unexpected":true}');
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    try {
      renderApp(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      const alert = await screen.findByRole("alert", {}, WAIT);
      expect(alert).toHaveTextContent(/answered with an error/);
      expect(alert).toHaveTextContent(/unexpected shape/);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe("the dashboard's controls", () => {
  it("when a module and a status are chosen, then the table narrows to them", async () => {
    const a = await api();
    for (const m of ["education", "finance", "education", "creative"]) await a.post(m);
    renderApp(a.url);
    await waitFor(() => expect(eventRows()).toHaveLength(4), WAIT);
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText("Module"), "education");
    await waitFor(() => expect(eventRows()).toHaveLength(2), WAIT);
    for (const row of eventRows()) expect(row).toHaveTextContent("education");

    await user.selectOptions(screen.getByLabelText("Delivery status"), "dead");
    await waitFor(() => expect(eventRows()[0]).toHaveTextContent("No events match these filters."), WAIT);
    await user.selectOptions(screen.getByLabelText("Delivery status"), "");
    await user.selectOptions(screen.getByLabelText("Module"), "");
    await waitFor(() => expect(eventRows()).toHaveLength(4), WAIT);
  });

  it("when there are more events than a page, then Older and Newer move through keyset pages", async () => {
    const a = await api();
    for (let i = 1; i <= 25; i++) await a.post("education", { i }, `s-${String(i).padStart(2, "0")}`);
    renderApp(a.url);
    await waitFor(() => expect(eventRows()).toHaveLength(20), WAIT);
    expect(eventRows()[0]).toHaveTextContent("s-25");
    const user = userEvent.setup();
    expect(screen.getByRole("button", { name: /newer/i })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: /older/i }));
    await waitFor(() => expect(eventRows()).toHaveLength(5), WAIT);
    expect(eventRows()[0]).toHaveTextContent("s-05");
    expect(eventRows()[4]).toHaveTextContent("s-01");
    expect(screen.getByText("Page 2")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: /older/i })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: /newer/i }));
    await waitFor(() => expect(eventRows()[0]).toHaveTextContent("s-25"), WAIT);
    expect(screen.getByText("Page 1")).toBeInTheDocument();
  });

  it("when auto-refresh is paused, then new updates wait for Refresh now or Resume", async () => {
    const a = await api();
    await a.post("education");
    renderApp(a.url);
    await waitFor(() => expect(statValue("Total syncs")).toBe("1"), WAIT);
    const user = userEvent.setup();
    const pause = screen.getByRole("button", { name: "Pause auto-refresh" });
    await user.click(pause);
    expect(screen.getByRole("button", { name: "Resume auto-refresh" })).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByTestId("updated")).toHaveTextContent("auto-refresh paused");

    await a.post("finance");
    // several intervals pass: a paused dashboard must not have fetched
    await new Promise((r) => setTimeout(r, TEST_REFRESH_MS * 4));
    expect(statValue("Total syncs")).toBe("1");

    await user.click(screen.getByRole("button", { name: "Refresh now" }));
    await waitFor(() => expect(statValue("Total syncs")).toBe("2"), WAIT);

    await user.click(screen.getByRole("button", { name: "Resume auto-refresh" }));
    await a.post("creative");
    await waitFor(() => expect(statValue("Total syncs")).toBe("3"), WAIT);
  });

  it("when another window is picked, then the window figures say which window they cover", async () => {
    const a = await api();
    await a.post("education");
    renderApp(a.url);
    await waitFor(() => expect(statValue("Syncs, last 1 h")).toBe("1"), WAIT);
    const user = userEvent.setup();
    await user.click(screen.getByRole("radio", { name: "Last 24 h" }));
    expect(screen.getByRole("radio", { name: "Last 24 h" })).toBeChecked();
    await waitFor(() => expect(statValue("Syncs, last 24 h")).toBe("1"), WAIT);
    expect(screen.getByRole("columnheader", { name: "Last 24 h" })).toBeInTheDocument();
  });

  it("when an event's details are opened, then its data and delivery come from /insight/events/:id", async () => {
    const a = await api();
    const sent = await a.post("finance", { invoice: "INV-77", amount: 12.5 }, "pay-1");
    renderApp(a.url);
    await waitFor(() => expect(eventRows()[0]).toHaveTextContent("pay-1"), WAIT);
    const user = userEvent.setup();
    const button = within(eventRows()[0] as HTMLElement).getByRole("button", { name: /details of the finance event/i });
    await user.click(button);
    expect(button).toHaveAttribute("aria-expanded", "true");
    const details = await waitFor(() => {
      const row = document.getElementById(button.getAttribute("aria-controls") ?? "");
      if (!row?.textContent?.includes("INV-77")) throw new Error("details not loaded");
      return row;
    }, WAIT);
    expect(details).toHaveTextContent(sent.event_id);
    expect(details).toHaveTextContent('"amount": 12.5');
    await user.click(button);
    expect(document.getElementById(button.getAttribute("aria-controls") ?? "")).toBeNull();
  });

  it("when the last sync is shown, then header and cells both speak of time ago, with the absolute time in the zone on hover", async () => {
    const a = await api();
    const sent = await a.post("education");
    renderApp(a.url);
    const modules = await screen.findByRole("table", { name: /per module/i }, WAIT);
    const time = await waitFor(() => {
      const t = within(modules).getAllByRole("row")[1]?.querySelector("time");
      if (!t) throw new Error("no time yet");
      return t;
    }, WAIT);
    expect(time.getAttribute("dateTime")).toBe(sent.timestamp);
    expect(time.title).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(time).toHaveTextContent(/(just now|\d+ s ago)/);
    const header = within(modules).getByRole("columnheader", { name: "Last sync" });
    expect(header).not.toHaveTextContent("UTC");
    expect(header.title).toMatch(/Time since the last sync.*exact time in UTC/);
  });
});

describe("the dashboard on a narrow screen", () => {
  /** jsdom has no layout and no matchMedia: answer the narrow-screen query as a 390 px phone would. */
  function narrowScreen(): () => void {
    const had = Object.hasOwn(window, "matchMedia");
    const previous = window.matchMedia;
    window.matchMedia = (query: string) =>
      ({
        matches: query === NARROW_QUERY,
        media: query,
        onchange: null,
        addEventListener: () => {},
        removeEventListener: () => {},
        addListener: () => {},
        removeListener: () => {},
        dispatchEvent: () => false,
      }) satisfies MediaQueryList;
    return () => {
      if (had) window.matchMedia = previous;
      else Reflect.deleteProperty(window, "matchMedia");
    };
  }

  it("when the screen is narrow, then each event is a card with time, module, latency and delivery status, and the modules table keeps 4 columns", async () => {
    const restore = narrowScreen();
    try {
      const a = await api();
      await a.post("education", { lesson: 1 }, "session-a");
      await a.post("finance", { amount: 2 }, "session-b");
      renderApp(a.url);
      const list = await screen.findByRole("list", { name: /sync events, newest first, page 1/i }, WAIT);
      await waitFor(() => expect(within(list).getAllByRole("listitem")).toHaveLength(2), WAIT);
      const [first] = within(list).getAllByRole("listitem");
      expect(first).toHaveTextContent(/^\d\d:\d\d:\d\d finance/);
      expect(first).toHaveTextContent(/delivered|pending/);
      expect(first).toHaveTextContent(/\d ms · session session-b · \d+ attempts?/);
      expect(within(first as HTMLElement).getByRole("button", { name: /details of the finance event/i })).toBeInTheDocument();
      expect(screen.queryByRole("table", { name: /sync events/i })).not.toBeInTheDocument();

      const modules = screen.getByRole("table", { name: /per module/i });
      expect(
        within(modules)
          .getAllByRole("columnheader")
          .map((h) => h.textContent),
      ).toEqual(["Module", "Last 1 h", "p95", "Last sync"]);
    } finally {
      restore();
    }
  });

  it("when a table is shown, then its scroll box is a focusable region named after it", async () => {
    const a = await api();
    await a.post("education");
    renderApp(a.url);
    await waitFor(() => expect(eventRows()).toHaveLength(1), WAIT);
    for (const name of ["Modules table", "Sync events table"]) {
      const region = screen.getByRole("region", { name });
      expect(region).toHaveAttribute("tabindex", "0");
      expect(within(region).getByRole("table")).toBeInTheDocument();
    }
  });
});
