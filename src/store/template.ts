/**
 * A new SQLite store starts as a copy of `dist/store/new.db`, which the build makes by opening a store
 * the way every run does (the schema and each migration in turn) and writing the built-in registry
 * into it (`writeStoreTemplate` in sqlite.ts, run by scripts/store-template.mjs). Copying its bytes
 * skips, on every run that creates a database, the schema's SQL, the migrations that rebuild tables
 * and the 185 registry rows with their JSON, and the checkpoint of all that at close (measured in
 * docs/performance.md). A store with other settings (a --registry override) is brought up to date by
 * the run as a store made before would be.
 */
import { basename, dirname, join } from 'node:path';
import { chmodSync, constants, copyFileSync, linkSync, rmSync, unlinkSync } from 'node:fs';
import { distFile } from '../assets.js';

/** Where the build puts the template, under dist/ (absent under vitest, whose base is src/). */
export const STORE_TEMPLATE = 'store/new.db';

/**
 * Creates the database file `path` as a copy of `template`, all at once for anyone else: the copy is
 * written, mode 600, under a hidden name beside it and then linked to `path`, which fails if `path`
 * exists, so that a second run creating the same store sees no file or the whole copy, never a part.
 * Returns 'copied' when `path` is this copy, 'found' when another run made it first (and may have
 * written to it since); false, having made nothing, when there is no template or the copy cannot be
 * written or linked there, so that the caller creates the file as it did without a template and gives
 * the one-line error if that fails too.
 */
export function createFromTemplate(path: string, template: string | URL = distFile(STORE_TEMPLATE)): 'copied' | 'found' | false {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.new`);
  // Copied by the kernel (the template's 650 KB do not pass through a Buffer of this process), then
  // given mode 600 before it is linked into place: the copy takes the template's mode, and until the
  // chmod it holds the template's bytes only, no one's data.
  try {
    copyFileSync(template, tmp, constants.COPYFILE_EXCL);
    chmodSync(tmp, 0o600);
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
  try {
    linkSync(tmp, path);
    return 'copied';
  } catch (e) {
    // EEXIST: another run made the store first, and that store is the one to open.
    return (e as NodeJS.ErrnoException).code === 'EEXIST' ? 'found' : false;
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone: nothing to clean up
    }
  }
}
