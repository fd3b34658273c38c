/**
 * What a line carries that belongs to no record: colour escapes, trailing CRs, a BOM. Apart from
 * records.ts so that the scan threads, which test lines before shipping them (lookback.ts), load it alone.
 */

// `-v color` wraps each line in SGR escapes; a run of CRs (CR LF, and adb on Windows' CR CR LF) and a BOM are dropped too.
const DECORATION = /\x1B\[[0-9;]*m|\r+$|^\uFEFF/g;

/** Removes colour escapes, trailing CRs and a BOM, which never belong to a record. */
export function stripDecorations(line: string): string {
  return line.includes('\x1B') || line.includes('\r') || line.charCodeAt(0) === 0xfeff ? line.replace(DECORATION, '') : line;
}
