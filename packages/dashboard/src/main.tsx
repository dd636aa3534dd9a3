import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createApiClient } from "./api/api-client.js";
import { createQueryClient } from "./api/query-client.js";
import { App, windowFromSearch } from "./app.js";
import { viewerTimeZone } from "./lib/format.js";
import { resolveRefreshInterval } from "./lib/refresh-config.js";
import "./styles.css";

const root = document.getElementById("root");
if (root) {
  const queryClient = createQueryClient();
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App
          client={createApiClient()}
          refreshMs={resolveRefreshInterval(location.search, import.meta.env.VITE_REFRESH_MS)}
          timeZone={viewerTimeZone()}
          initialWindow={windowFromSearch(location.search)}
        />
      </QueryClientProvider>
    </StrictMode>,
  );
}
