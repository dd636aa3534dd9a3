/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Read key baked into the bundle, sent as `Authorization: Bearer …` (see src/api/read-key.ts). */
  readonly VITE_BRIDGE_READ_KEY?: string;
  /** Refresh interval in ms (default 10000); the URL parameter `refresh` overrides it. */
  readonly VITE_REFRESH_MS?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
