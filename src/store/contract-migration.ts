/**
 * Schema migration 2 (issue 21), the same on both stores: the extraction contract each source was
 * read under, and how far retention has pruned it. Appended to MIGRATIONS in sqlite.ts and postgres.ts.
 */

/** SQLite: user_version 1 -> 2. */
export const CONTRACT_MIGRATION_SQLITE = `
-- The extraction contracts runs have used: hash -> the JSON array of what decides what counts
-- ("version:1", "tag:MainActivity", "signature:<sha256 prefix>"). Kept by prune.
CREATE TABLE contracts (
  hash      TEXT PRIMARY KEY,
  elements  TEXT NOT NULL
);
-- The union of the contracts the source's bytes_done were read under (NULL: unknown, read before v2).
ALTER TABLE sources ADD COLUMN contract TEXT;
-- Events before this time were deleted by prune (their counts stay): a re-read does not add them again.
ALTER TABLE sources ADD COLUMN pruned_before TEXT;
`;

/** PostgreSQL: schema_version 1 -> 2. */
export const CONTRACT_MIGRATION_PG = `
CREATE TABLE contracts (
  hash      TEXT COLLATE "C" PRIMARY KEY,
  elements  TEXT COLLATE "C" NOT NULL
);
ALTER TABLE sources ADD COLUMN contract TEXT COLLATE "C";
ALTER TABLE sources ADD COLUMN pruned_before TEXT COLLATE "C";
`;
