import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

const api = process.env.VITE_API_PROXY ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ["development"] },
  server: {
    port: 8501,
    strictPort: true,
    proxy: Object.fromEntries(["/core", "/bucket", "/insight", "/healthz", "/readyz", "/metrics", "/openapi.json"].map((p) => [p, api])),
  },
  test: { include: ["test/**/*.test.{ts,tsx}"], environment: "jsdom" },
});
