export * from "./bucket.js";
export * from "./common.js";
export * from "./errors.js";
export * from "./ingest.js";
export * from "./insight.js";
export * from "./logs.js";
export * from "./report.js";
export * from "./status.js";
