import { LATENCY_BINS_MS } from "../event-store.js";

const bins = LATENCY_BINS_MS.map((_, i) => `h${i} INTEGER NOT NULL DEFAULT 0`).join(",\n  ");

/**
 * Versioned schema migrations, applied in order inside one transaction each; the version
 * reached is kept in PRAGMA user_version. Append new migrations; never edit a shipped one.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: "events, counters, outbox, idempotency, rollups",
    sql: `
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  module TEXT NOT NULL,
  module_seq INTEGER NOT NULL,
  session_id TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  latency_ms REAL NOT NULL,
  size_bytes INTEGER NOT NULL,
  data TEXT NOT NULL,
  delivery_status TEXT NOT NULL CHECK (delivery_status IN ('pending','retrying','delivered','dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  next_attempt_at INTEGER,
  delivered_at INTEGER,
  delivery_latency_ms REAL
);
CREATE INDEX events_module_seq ON events(module, seq);
CREATE INDEX events_status_seq ON events(delivery_status, seq);
CREATE INDEX events_received_at ON events(received_at);

-- Counters kept in the ingest transaction, so status reads O(modules), never O(events).
CREATE TABLE totals (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  total_count INTEGER NOT NULL,
  last_sync_at INTEGER,
  last_delivered_at INTEGER
);
INSERT INTO totals (id, total_count) VALUES (1, 0);
CREATE TABLE module_counters (
  module TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  last_sync_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE delivery_counters (
  status TEXT PRIMARY KEY,
  count INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO delivery_counters (status, count) VALUES ('pending',0),('retrying',0),('delivered',0),('dead',0);

-- Work for the delivery worker: one row per event not yet delivered nor dead.
CREATE TABLE outbox (
  event_seq INTEGER PRIMARY KEY REFERENCES events(seq),
  available_at INTEGER NOT NULL,
  claimed_until INTEGER,
  claimed_by TEXT
);
CREATE INDEX outbox_available ON outbox(available_at);

CREATE TABLE delivery_attempts (
  event_seq INTEGER NOT NULL REFERENCES events(seq),
  attempt INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  duration_ms REAL NOT NULL,
  outcome TEXT NOT NULL,
  http_status INTEGER,
  error TEXT,
  PRIMARY KEY (event_seq, attempt)
) WITHOUT ROWID;

CREATE TABLE idempotency_keys (
  key TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  response TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX idempotency_created ON idempotency_keys(created_at);

-- Per-minute, per-module rollup for /insight/summary: count, latency sum and a latency histogram.
CREATE TABLE rollup_minute (
  minute INTEGER NOT NULL,
  module TEXT NOT NULL,
  count INTEGER NOT NULL DEFAULT 0,
  latency_sum REAL NOT NULL DEFAULT 0,
  ${bins},
  PRIMARY KEY (minute, module)
) WITHOUT ROWID;
`,
  },
  {
    version: 2,
    name: "delivery: retry budget per outbox row",
    // attempt_offset: attempts recorded before the row was (re)queued. A replayed dead letter
    // keeps its attempt history and numbering, and gets a fresh DELIVERY_MAX_ATTEMPTS from here.
    sql: `
ALTER TABLE outbox ADD COLUMN attempt_offset INTEGER NOT NULL DEFAULT 0;
`,
  },
  {
    version: 3,
    name: "summary: 15-minute rollup beside the per-minute one",
    // The 24 h window reads 96 quarter rows per module instead of grouping 1,440 minute rows:
    // one more upsert at ingest buys a summary that stays a few ms at any event count.
    sql: `
CREATE TABLE rollup_quarter (
  quarter INTEGER NOT NULL,
  module TEXT NOT NULL,
  count INTEGER NOT NULL DEFAULT 0,
  latency_sum REAL NOT NULL DEFAULT 0,
  ${bins},
  PRIMARY KEY (quarter, module)
) WITHOUT ROWID;
INSERT INTO rollup_quarter (quarter, module, count, latency_sum, ${LATENCY_BINS_MS.map((_, i) => `h${i}`).join(", ")})
  SELECT minute / 15, module, sum(count), sum(latency_sum), ${LATENCY_BINS_MS.map((_, i) => `sum(h${i})`).join(", ")}
  FROM rollup_minute GROUP BY minute / 15, module;
`,
  },
];
