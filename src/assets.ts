/**
 * Where the files read at run time lie (registry JSON, schemas, the WASM scanner, the scan worker).
 * This module sits at the root of dist/ in tsc's output, and the bundles (scripts/bundle.mjs) sit
 * there too, so one base resolves them from both; under vitest it is src/, which holds the same files.
 */

/** True when running from a bundle (dist/*.cjs), whose modules all share the bundle's URL. */
const BUNDLED = import.meta.url.endsWith('.cjs');

/** A file under dist/ (or src/ under vitest), by its path there: `registry/codes.json`. */
export function distFile(path: string): URL {
  return new URL(path, import.meta.url);
}

/** The scan worker's script: the bundle's own beside the CLI's bundle, else tsc's module. */
export function scanWorkerUrl(): URL {
  return distFile(BUNDLED ? 'scan-worker.cjs' : 'pipeline/scan-worker.js');
}
