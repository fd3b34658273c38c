/**
 * Schema migration 2 of both stores: each event's outcome (failed, canceled, error, success), also
 * in the key of the hourly counts so reports count outcomes without reading events. Stored rows
 * get the outcome their code implies (its category in the stored registry: success -> success,
 * network and server -> error, anything else -> failed); their lines are not re-read.
 */
import { CATEGORY_OUTCOMES, categoryOutcomeSql } from '../extract/outcome.js';

/** Codes whose outcome is not `failed`, as a subquery on the stored registry (few rows to update). */
const NOT_FAILED = `SELECT code FROM codes WHERE category IN (${Object.keys(CATEGORY_OUTCOMES).map((c) => `'${c}'`).join(', ')})`;
const OUTCOME_OF_CODE = (codeExpr: string) => categoryOutcomeSql(`(SELECT category FROM codes c WHERE c.code = ${codeExpr})`);

/** SQLite: a new column on events; counts_hourly rebuilt with outcome in its primary key. */
export function outcomeMigrationSqlite(): string {
  return `
ALTER TABLE events ADD COLUMN outcome TEXT NOT NULL DEFAULT 'failed';  -- failed | canceled | error | success
UPDATE events SET outcome = ${OUTCOME_OF_CODE('events.code')} WHERE code IN (${NOT_FAILED});
-- Legacy rename: the views that name counts_hourly keep naming it, and see the new table.
PRAGMA legacy_alter_table = ON;
CREATE TABLE counts_hourly_v2 (
  hour       TEXT    NOT NULL,
  code       INTEGER NOT NULL,
  tag        TEXT    NOT NULL,
  source_id  INTEGER NOT NULL,
  outcome    TEXT    NOT NULL,
  count      INTEGER NOT NULL,
  PRIMARY KEY (hour, code, tag, source_id, outcome)
) WITHOUT ROWID;
INSERT INTO counts_hourly_v2 (hour, code, tag, source_id, outcome, count)
  SELECT hour, code, tag, source_id, ${OUTCOME_OF_CODE('counts_hourly.code')}, count FROM counts_hourly;
DROP TABLE counts_hourly;
ALTER TABLE counts_hourly_v2 RENAME TO counts_hourly;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX counts_code ON counts_hourly (code);
DROP VIEW v_events;
CREATE VIEW v_events AS
  SELECT e.id, e.time, e.code, COALESCE(c.category, 'unregistered') AS category,
         c.message, e.method, e.detail, e.level, e.tag, e.pid, e.tid,
         s.name AS source, e.line, e.excerpt, e.outcome
  FROM events e LEFT JOIN codes c ON c.code = e.code JOIN sources s ON s.id = e.source_id;
`;
}

/** PostgreSQL: the same columns; the primary key of counts_hourly gains outcome. */
export function outcomeMigrationPg(): string {
  return `
ALTER TABLE events ADD COLUMN outcome TEXT COLLATE "C" NOT NULL DEFAULT 'failed';
UPDATE events SET outcome = ${OUTCOME_OF_CODE('events.code')} WHERE code IN (${NOT_FAILED});
ALTER TABLE counts_hourly ADD COLUMN outcome TEXT COLLATE "C" NOT NULL DEFAULT 'failed';
UPDATE counts_hourly SET outcome = ${OUTCOME_OF_CODE('counts_hourly.code')} WHERE code IN (${NOT_FAILED});
ALTER TABLE counts_hourly DROP CONSTRAINT counts_hourly_pkey, ADD PRIMARY KEY (hour, code, tag, source_id, outcome);
CREATE OR REPLACE VIEW v_events AS
  SELECT e.id, e.time, e.code, COALESCE(c.category, 'unregistered') AS category,
         c.message, e.method, e.detail, e.level, e.tag, e.pid, e.tid,
         s.name AS source, e.line, e.excerpt, e.outcome
  FROM events e LEFT JOIN codes c ON c.code = e.code JOIN sources s ON s.id = e.source_id;
`;
}
