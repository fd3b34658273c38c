/**
 * Schema migration 3 of both stores (after the contract's 2): each event's outcome (failed, canceled, error, success), also
 * in the key of the hourly counts so reports count outcomes without reading events. Stored rows
 * get the outcome their code implies in this build's registry (`codeOutcome`: the entry's outcome
 * kinds, else its category), as new events do when their line says nothing more; the lines are
 * not re-read, so a stored cancel stays what its code implies. Codes the registry does not know: failed.
 */
import { codeOutcome } from '../extract/outcome.js';
import { loadRegistry } from '../registry/index.js';
import type { Outcome } from '../types.js';

/** `CASE <code> ...` giving each registered code's outcome, and the codes whose outcome is not `failed`. */
function outcomeOfCode(codeExpr: string): { sql: string; notFailed: string } {
  const by = new Map<Outcome, number[]>();
  for (const e of loadRegistry().codes.values()) {
    const o = codeOutcome(e, e.category);
    // Integers from the bundled registry, checked: safe to write into the SQL text.
    if (o !== 'failed' && Number.isSafeInteger(e.code)) by.set(o, [...(by.get(o) ?? []), e.code]);
  }
  if (!by.size) return { sql: "'failed'", notFailed: 'NULL' };
  const whens = [...by].map(([o, codes]) => `WHEN ${codeExpr} IN (${codes.join(', ')}) THEN '${o}'`).join(' ');
  return { sql: `CASE ${whens} ELSE 'failed' END`, notFailed: [...by.values()].flat().join(', ') };
}

/** SQLite: a new column on events; counts_hourly rebuilt with outcome in its primary key. */
export function outcomeMigrationSqlite(): string {
  const ev = outcomeOfCode('code');
  return `
ALTER TABLE events ADD COLUMN outcome TEXT NOT NULL DEFAULT 'failed';  -- failed | canceled | error | success
UPDATE events SET outcome = ${ev.sql} WHERE code IN (${ev.notFailed});
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
  SELECT hour, code, tag, source_id, ${ev.sql}, count FROM counts_hourly;
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
  const ev = outcomeOfCode('code');
  return `
ALTER TABLE events ADD COLUMN outcome TEXT COLLATE "C" NOT NULL DEFAULT 'failed';
UPDATE events SET outcome = ${ev.sql} WHERE code IN (${ev.notFailed});
ALTER TABLE counts_hourly ADD COLUMN outcome TEXT COLLATE "C" NOT NULL DEFAULT 'failed';
UPDATE counts_hourly SET outcome = ${ev.sql} WHERE code IN (${ev.notFailed});
ALTER TABLE counts_hourly DROP CONSTRAINT counts_hourly_pkey, ADD PRIMARY KEY (hour, code, tag, source_id, outcome);
CREATE OR REPLACE VIEW v_events AS
  SELECT e.id, e.time, e.code, COALESCE(c.category, 'unregistered') AS category,
         c.message, e.method, e.detail, e.level, e.tag, e.pid, e.tid,
         s.name AS source, e.line, e.excerpt, e.outcome
  FROM events e LEFT JOIN codes c ON c.code = e.code JOIN sources s ON s.id = e.source_id;
`;
}
