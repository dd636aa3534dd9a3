import winston from "winston";
import type { CoreSyncLogLine, FlowLogLine } from "@bridge/shared";
import type { Config } from "../config.js";
import { RotatingFileTransport } from "./rotating-file-transport.js";

type Omitted = "timestamp" | "level";
export interface CoreSyncLog {
  write(line: Omit<CoreSyncLogLine, Omitted>, level?: "info" | "warn"): void;
}
export interface FlowLog {
  write(line: Omit<FlowLogLine, Omitted>, level?: "info" | "warn" | "error"): void;
}
export interface Loggers {
  coreSync: CoreSyncLog;
  flow: FlowLog;
  /** Operational messages of the process itself (startup, shutdown, unexpected errors): stderr. */
  app: winston.Logger;
  close(): Promise<void>;
}

const jsonLine = winston.format.combine(winston.format.timestamp(), winston.format.json());

function fileLogger(file: string, cfg: Config["log"]): winston.Logger {
  return winston.createLogger({
    level: "info",
    format: jsonLine,
    // core_sync.log is always the newest; core_sync1.log … older; at most maxFiles in all.
    transports: [new RotatingFileTransport({ filename: file, maxSize: cfg.maxSize, maxFiles: cfg.maxFiles })],
  });
}

function closeLogger(logger: winston.Logger): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 2000);
    logger.on("finish", () => {
      clearTimeout(timer);
      for (const t of logger.transports) t.close?.();
      resolve();
    });
    logger.end();
  });
}

export function createLoggers(cfg: Config["log"]): Loggers {
  const core = fileLogger(cfg.coreSyncFile, cfg);
  const flow = fileLogger(cfg.flowFile, cfg);
  const app = winston.createLogger({
    level: cfg.level,
    format: jsonLine,
    transports: [new winston.transports.Console({ stderrLevels: ["error", "warn", "info", "http", "verbose", "debug", "silly"] })],
  });
  return {
    coreSync: { write: (line, level = "info") => core.log({ level, ...line }) },
    flow: { write: (line, level = "info") => flow.log({ level, ...line }) },
    app,
    async close() {
      await Promise.all([closeLogger(core), closeLogger(flow), closeLogger(app)]);
    },
  };
}
