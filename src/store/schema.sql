-- authing-triage store, schema version 1. Times are UTC ISO 8601 ('2026-03-17T16:13:40.332Z').
-- Later migrations are the next entries of MIGRATIONS in sqlite.ts, each applied once, by PRAGMA user_version
-- (2: contracts, contract-migration.ts; 3: events.outcome and outcome in the key of counts_hourly, outcome-migration.ts;
-- 4: sources.prefix_hash; 5: source_labels, v_events.labels and v_counts_by_label, label-migration.ts).

-- One row per input, identified by its content: the hash of its first head_len bytes
-- (head_len = min(size, 64 KiB), after decompression). bytes_done/lines_done is how far
-- it has been counted; they change in the same transaction as the counts.
CREATE TABLE sources (
  id          INTEGER PRIMARY KEY,
  head_len    INTEGER NOT NULL,
  head_hash   TEXT    NOT NULL,
  name        TEXT    NOT NULL,
  format      TEXT,
  bytes_done  INTEGER NOT NULL DEFAULT 0,
  lines_done  INTEGER NOT NULL DEFAULT 0,
  complete    INTEGER NOT NULL DEFAULT 0,
  first_seen  TEXT    NOT NULL,
  last_seen   TEXT    NOT NULL,
  UNIQUE (head_len, head_hash)
);

-- One row per event: an Authing code found in one log record.
CREATE TABLE events (
  id         INTEGER PRIMARY KEY,
  source_id  INTEGER NOT NULL REFERENCES sources(id),
  line       INTEGER NOT NULL,
  time       TEXT,
  hour       TEXT    NOT NULL,  -- 'YYYY-MM-DDTHH' of time, '' when the record had no time
  code       INTEGER NOT NULL,
  method     TEXT    NOT NULL,  -- signature | json | key-value
  detail     TEXT,
  pid        INTEGER,
  tid        INTEGER,
  level      TEXT,
  tag        TEXT    NOT NULL,
  excerpt    TEXT    NOT NULL,  -- redacted unless --no-redact
  UNIQUE (source_id, line)
);
CREATE INDEX events_time ON events (time);
CREATE INDEX events_code ON events (code);

-- Counts per hour, code, tag and source, updated in the same transaction as events.
CREATE TABLE counts_hourly (
  hour       TEXT    NOT NULL,
  code       INTEGER NOT NULL,
  tag        TEXT    NOT NULL,
  source_id  INTEGER NOT NULL,
  count      INTEGER NOT NULL,
  PRIMARY KEY (hour, code, tag, source_id)
) WITHOUT ROWID;
CREATE INDEX counts_code ON counts_hourly (code);

-- The registry as of the last run: rewritten by every run, so a registry change
-- re-categorises stored counts without re-ingesting.
CREATE TABLE codes (
  code        INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  category    TEXT NOT NULL,
  message     TEXT NOT NULL,
  message_zh  TEXT,
  description TEXT,
  suggestion  TEXT,
  docs        TEXT,
  entry       TEXT NOT NULL      -- the whole registry entry as JSON (sources, disagreements)
);
CREATE TABLE categories (
  name        TEXT PRIMARY KEY,
  description TEXT NOT NULL
);

-- Views for people who query the database themselves (documented in docs/schema.md).
CREATE VIEW v_events AS
  SELECT e.id, e.time, e.code, COALESCE(c.category, 'unregistered') AS category,
         c.message, e.method, e.detail, e.level, e.tag, e.pid, e.tid,
         s.name AS source, e.line, e.excerpt
  FROM events e LEFT JOIN codes c ON c.code = e.code JOIN sources s ON s.id = e.source_id;

CREATE VIEW v_counts_by_category AS
  SELECT COALESCE(c.category, 'unregistered') AS category, SUM(h.count) AS count
  FROM counts_hourly h LEFT JOIN codes c ON c.code = h.code
  GROUP BY 1 ORDER BY count DESC, category;

CREATE VIEW v_counts_by_code AS
  SELECT h.code, COALESCE(c.category, 'unregistered') AS category, c.message, c.suggestion, c.docs,
         SUM(h.count) AS count
  FROM counts_hourly h LEFT JOIN codes c ON c.code = h.code
  GROUP BY h.code ORDER BY count DESC, h.code;

CREATE VIEW v_daily AS
  SELECT substr(h.hour, 1, 10) AS day, COALESCE(c.category, 'unregistered') AS category, SUM(h.count) AS count
  FROM counts_hourly h LEFT JOIN codes c ON c.code = h.code
  WHERE h.hour <> ''
  GROUP BY 1, 2 ORDER BY day, count DESC;

CREATE VIEW v_hourly AS
  SELECT h.hour || ':00:00Z' AS hour, h.code, COALESCE(c.category, 'unregistered') AS category, SUM(h.count) AS count
  FROM counts_hourly h LEFT JOIN codes c ON c.code = h.code
  WHERE h.hour <> ''
  GROUP BY h.hour, h.code ORDER BY h.hour, count DESC;
