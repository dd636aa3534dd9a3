import { type DeliveryStatus, SummaryWindow } from "@bridge/shared";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useMemo, useState } from "react";
import type { ApiClient } from "./api/api-client.js";
import { bridgeKeys, eventsQuery, statusQuery, summaryQuery } from "./api/queries.js";
import { currentReadKey, forgetReadKey, storeReadKey } from "./api/read-key.js";
import { ConnectionBanner } from "./components/connection-banner.js";
import { EventsTable } from "./components/events-table.js";
import { ModulesTable } from "./components/modules-table.js";
import { ReadKeyForm } from "./components/read-key-form.js";
import { RefreshControls } from "./components/refresh-controls.js";
import { DeliveryPanel, TotalsPanel } from "./components/totals-panel.js";
import { WindowPicker } from "./components/window-picker.js";
import { moduleStyles, toModuleRows } from "./lib/chart-series.js";
import { deriveConnection } from "./lib/connection-state.js";
import { useNow } from "./lib/use-now.js";

// recharts is most of the bundle: load the charts as their own chunk, after the numbers
const ChartsPanel = lazy(() => import("./components/charts-panel.js"));

export interface AppProps {
  client: ApiClient;
  refreshMs: number;
  timeZone: string;
  initialWindow?: SummaryWindow;
}

/** `?window=15m|1h|24h` picks the initial summary window. */
export function windowFromSearch(search: string): SummaryWindow {
  const parsed = SummaryWindow.safeParse(new URLSearchParams(search).get("window"));
  return parsed.success ? parsed.data : "1h";
}

export function App({ client, refreshMs, timeZone, initialWindow = "1h" }: AppProps) {
  const queryClient = useQueryClient();
  const [window, setWindow] = useState<SummaryWindow>(initialWindow);
  const [paused, setPaused] = useState(false);
  const [module, setModule] = useState<string | undefined>(undefined);
  const [status, setStatus] = useState<DeliveryStatus | undefined>(undefined);
  // keyset pagination: the cursors of the pages after the first, newest page at the bottom of the stack
  const [cursors, setCursors] = useState<string[]>([]);
  const [hasKey, setHasKey] = useState(() => currentReadKey() !== null);
  // when a key was last entered: until a refusal newer than this arrives, the key is being checked
  const [keySavedAt, setKeySavedAt] = useState(0);
  const now = useNow();

  const refetchInterval = paused ? false : refreshMs;
  const statusQ = useQuery({ ...statusQuery(client), refetchInterval });
  const summaryQ = useQuery({ ...summaryQuery(client, window), refetchInterval });
  const eventsQ = useQuery({ ...eventsQuery(client, { module, status, cursor: cursors.at(-1) }), refetchInterval });
  const connection = deriveConnection([statusQ, summaryQ, eventsQ]);

  const statusData = statusQ.data;
  const summaryData = summaryQ.data;
  const allModules = useMemo(
    () => [...new Set([...Object.keys(statusData?.module_sync_counts ?? {}), ...(summaryData?.modules ?? [])])].sort(),
    [statusData, summaryData],
  );
  const styles = useMemo(() => moduleStyles(allModules), [allModules]);
  const moduleRows = useMemo(() => toModuleRows(statusData, summaryData), [statusData, summaryData]);
  const filterModules = module !== undefined && !allModules.includes(module) ? [...allModules, module].sort() : allModules;

  const refreshAll = () => void queryClient.refetchQueries({ queryKey: bridgeKeys.all, type: "active" });
  const resetPages = () => setCursors([]);
  const updatedAt = connection.kind === "ok" ? connection.updatedAt : "lastDataAt" in connection ? connection.lastDataAt : null;
  const empty = statusData !== undefined && statusData.total_sync_count === 0;
  const firstLoad = connection.kind === "loading" && statusData === undefined;

  return (
    <div className="app">
      <header className="app-header">
        <div>
          <h1>InsightFlow</h1>
          <p className="muted">Core–Bucket Data Bridge · times in {timeZone}</p>
        </div>
        <RefreshControls
          refreshMs={refreshMs}
          paused={paused}
          fetching={statusQ.isFetching || summaryQ.isFetching || eventsQ.isFetching}
          updatedAt={updatedAt}
          now={now}
          onTogglePause={() => setPaused((p) => !p)}
          onRefresh={refreshAll}
        />
      </header>

      <main>
        {connection.kind === "needs_key" ? (
          <ReadKeyForm
            forbidden={connection.forbidden}
            hasKey={hasKey}
            checking={keySavedAt > connection.errorAt}
            onSave={(key) => {
              storeReadKey(key);
              setHasKey(true);
              setKeySavedAt(Date.now());
              refreshAll();
            }}
            onForget={() => {
              forgetReadKey();
              setHasKey(currentReadKey() !== null);
              refreshAll();
            }}
          />
        ) : null}
        <ConnectionBanner connection={connection} now={now} timeZone={timeZone} refreshMs={refreshMs} paused={paused} />
        {firstLoad ? (
          <p className="banner banner-loading" role="status" aria-live="polite">
            Loading the bridge's status…
          </p>
        ) : null}
        {empty ? (
          <section className="banner banner-empty" role="status" aria-labelledby="empty-title">
            <h2 id="empty-title">No events yet</h2>
            <p>
              Nothing has synced. Run <code>pnpm mock</code> to send updates from the mock modules, or POST one to <code>/core/update</code>
              .
            </p>
          </section>
        ) : null}

        <div className="toolbar">
          <WindowPicker value={window} onChange={setWindow} />
        </div>
        <div className="grid-2">
          <TotalsPanel status={statusData} summary={summaryData} window={window} now={now} timeZone={timeZone} />
          <DeliveryPanel status={statusData} now={now} timeZone={timeZone} />
        </div>
        <ModulesTable rows={moduleRows} styles={styles} window={window} now={now} timeZone={timeZone} />
        {summaryData ? (
          <Suspense fallback={<p className="muted">Loading charts…</p>}>
            <ChartsPanel summary={summaryData} styles={styles} timeZone={timeZone} />
          </Suspense>
        ) : null}
        <EventsTable
          client={client}
          page={eventsQ.data}
          placeholder={eventsQ.isPlaceholderData}
          loading={eventsQ.isPending}
          modules={filterModules}
          styles={styles}
          module={module}
          status={status}
          pageNumber={cursors.length + 1}
          timeZone={timeZone}
          onModule={(m) => {
            setModule(m);
            resetPages();
          }}
          onStatus={(s) => {
            setStatus(s);
            resetPages();
          }}
          onNewer={() => setCursors((c) => c.slice(0, -1))}
          onOlder={(cursor) => setCursors((c) => [...c, cursor])}
        />
      </main>
    </div>
  );
}
