import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import { createApiClient } from "../../src/api/api-client.js";
import { createQueryClient } from "../../src/api/query-client.js";
import { App } from "../../src/app.js";

/** A short interval so a refresh comes within the default wait of findBy/waitFor-style checks. */
export const TEST_REFRESH_MS = 300;

/** Render the whole dashboard against the api at `baseUrl`, in UTC, with a fresh query cache. */
export function renderApp(baseUrl: string, opts: { refreshMs?: number } = {}) {
  const queryClient = createQueryClient();
  const client = createApiClient({ baseUrl });
  const utils = render(
    <QueryClientProvider client={queryClient}>
      <App client={client} refreshMs={opts.refreshMs ?? TEST_REFRESH_MS} timeZone="UTC" />
    </QueryClientProvider>,
  );
  return { ...utils, queryClient };
}

/** The value shown under a stat's label (the <dd> after the <dt>). */
export function statValue(label: string): string {
  const dt = screen.getByText(label, { selector: "dt" });
  return dt.nextElementSibling?.querySelector(".stat-value")?.textContent ?? "";
}

/** The body rows of the events table. */
export function eventRows(): HTMLElement[] {
  const table = screen.getByRole("table", { name: /sync events/i });
  const [, body] = within(table).getAllByRole("rowgroup");
  return body ? within(body).getAllByRole("row") : [];
}
