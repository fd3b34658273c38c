/**
 * Schema migration 5 of both stores (issue 26): labels on sources (device, android, app, ...), one
 * value per source and key, the newest run's winning; `v_events` gains them as a `labels` JSON
 * text column (keys sorted, `{}` when none) and `v_counts_by_label` counts by key, value and code.
 * Stores of older builds migrate with no labels. The JSON is built by hand from quoted keys and
 * values so that both databases write the same text byte for byte.
 */

const V_EVENTS_COLUMNS = `e.id, e.time, e.code, COALESCE(c.category, 'unregistered') AS category,
         c.message, e.method, e.detail, e.level, e.tag, e.pid, e.tid,
         s.name AS source, e.line, e.excerpt, e.outcome`;

/**
 * The source's labels as one JSON text, the same bytes in both databases (keys sorted). SQLite's in the order of
 * a subquery: an ORDER BY inside group_concat() needs SQLite 3.44, and a view that an older sqlite3 cannot parse
 * makes the whole database unreadable to it ("malformed database schema"), Debian 12's 3.40 among them
 * (migration 7 makes the view again this way).
 */
const LABELS_JSON = {
  sqlite: `(SELECT COALESCE('{' || group_concat(json_quote(l.key) || ':' || json_quote(l.value), ',') || '}', '{}')
            FROM (SELECT key, value FROM source_labels WHERE source_id = e.source_id ORDER BY key) l)`,
  pg: `(SELECT COALESCE('{' || string_agg(to_json(l.key)::text || ':' || to_json(l.value)::text, ',' ORDER BY l.key) || '}', '{}')
            FROM source_labels l WHERE l.source_id = e.source_id)`,
};

/**
 * `v_events` as migration 5 made it, with `after` (columns of later migrations, e.g. migration 6's
 * `e.cause`) appended after `labels`: a later migration drops the view and makes it again with this.
 */
export function vEventsView(db: 'sqlite' | 'pg', after = ''): string {
  return `DROP VIEW v_events;
CREATE VIEW v_events AS
  SELECT ${V_EVENTS_COLUMNS},
         ${LABELS_JSON[db]} AS labels${after ? `, ${after}` : ''}
  FROM events e LEFT JOIN codes c ON c.code = e.code JOIN sources s ON s.id = e.source_id;`;
}

/** SQLite: user_version 4 -> 5. */
export const LABEL_MIGRATION_SQLITE = `
CREATE TABLE source_labels (
  source_id  INTEGER NOT NULL REFERENCES sources(id),
  key        TEXT    NOT NULL,  -- [a-z][a-z0-9_]*
  value      TEXT    NOT NULL,  -- redacted like excerpts, at most 120 characters
  PRIMARY KEY (source_id, key)
) WITHOUT ROWID;
CREATE INDEX source_labels_key ON source_labels (key, value);
${vEventsView('sqlite')}
CREATE VIEW v_counts_by_label AS
  SELECT l.key, l.value, h.code, COALESCE(c.category, 'unregistered') AS category, SUM(h.count) AS count
  FROM counts_hourly h JOIN source_labels l ON l.source_id = h.source_id LEFT JOIN codes c ON c.code = h.code
  GROUP BY l.key, l.value, h.code ORDER BY l.key, l.value, count DESC, h.code;
`;

/** PostgreSQL: schema_version 4 -> 5. */
export const LABEL_MIGRATION_PG = `
CREATE TABLE source_labels (
  source_id  INTEGER NOT NULL REFERENCES sources(id),
  key        TEXT COLLATE "C" NOT NULL,
  value      TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (source_id, key)
);
CREATE INDEX source_labels_key ON source_labels (key, value);
${vEventsView('pg')}
CREATE VIEW v_counts_by_label AS
  SELECT l.key, l.value, h.code, COALESCE(c.category, 'unregistered') AS category, SUM(h.count)::BIGINT AS count
  FROM counts_hourly h JOIN source_labels l ON l.source_id = h.source_id LEFT JOIN codes c ON c.code = h.code
  GROUP BY l.key, l.value, h.code, c.category ORDER BY l.key, l.value, count DESC, h.code;
`;
