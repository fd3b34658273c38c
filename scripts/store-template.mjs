// Makes dist/store/new.db, the file every new SQLite store starts as (src/store/template.ts): a store
// opened by the schema and each migration, with the built-in registry, as a first run would leave it
// before reading anything. Runs after tsc (it uses dist/'s modules).
import { chmodSync } from 'node:fs';
import { writeStoreTemplate } from '../dist/store/sqlite.js';
import { loadRegistry } from '../dist/registry/index.js';

await writeStoreTemplate('dist/store/new.db', loadRegistry());
// It holds no one's data, and whoever runs an installed copy must be able to read it.
chmodSync('dist/store/new.db', 0o644);
