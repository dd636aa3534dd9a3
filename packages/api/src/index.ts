export { createApp, type AppDeps } from "./app.js";
export { type Clock, systemClock } from "./clock.js";
export { type Config, ConfigError, EnvSchema, loadConfig } from "./config.js";
export { createLoggers, type Loggers } from "./logging/loggers.js";
export { findRepoRoot } from "./paths.js";
export * from "./storage/event-store.js";
export { SqliteEventStore } from "./storage/sqlite/sqlite-store.js";
