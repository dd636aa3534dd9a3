import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

const api = process.env.VITE_API_PROXY ?? "http://127.0.0.1:8000";
const src = (pkg: string) => fileURLToPath(new URL(`../${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  plugins: [react()],
  resolve: {
    // workspace packages from source: no build of @bridge/shared needed first, and vite's default
    // conditions stay as they are (setting resolve.conditions would drop "browser" and "module")
    alias: [
      { find: /^@bridge\/shared$/, replacement: src("shared") },
      // tests only: the browser tests start a real api in-process; the bundle never imports it
      { find: /^@bridge\/api$/, replacement: src("api") },
    ],
  },
  server: {
    port: 8501,
    strictPort: true,
    proxy: Object.fromEntries(["/core", "/bucket", "/insight", "/healthz", "/readyz", "/metrics", "/openapi.json"].map((p) => [p, api])),
  },
  build: {
    // recharts and its dependencies go into the lazily loaded charts chunk (src/app.tsx); the report
    // lists every chunk with its gzip size, and a chunk over 500 kB fails the size budget
    chunkSizeWarningLimit: 500,
    reportCompressedSize: true,
  },
  test: {
    projects: [
      // pure functions and the fetch wrapper: plain node
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node" } },
      // React components in jsdom, against a real api started in-process
      {
        extends: true,
        test: {
          name: "components",
          include: ["test/components/**/*.test.tsx"],
          environment: "jsdom",
          setupFiles: ["test/setup.ts"],
          testTimeout: 30_000,
        },
      },
      // Chromium (/usr/bin/chromium) against the built dashboard served by a real api
      {
        extends: true,
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/browser/build-dist.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
