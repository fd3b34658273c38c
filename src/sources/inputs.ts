/** Command-line paths -> the list of inputs to read (files, folders recursed, `-` for stdin). */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { globSync } from 'tinyglobby';

/** One thing to read. */
export interface Input {
  /** Shown to people and stored: the path, or `-` for stdin. */
  name: string;
  /** Null for stdin. */
  path: string | null;
  /** For a bugreport zip: the text entry inside it. */
  entry?: string;
}

/** An input that could not be listed, reported as one line. */
export interface InputProblem {
  name: string;
  reason: string;
}

/**
 * Expands paths: folders are walked (sorted, hidden entries skipped), `-` is stdin. Files in
 * `exclude` (the database and its -wal/-shm/-journal files) are never read.
 */
export function expandInputs(paths: readonly string[], exclude: readonly string[] = []): { inputs: Input[]; problems: InputProblem[] } {
  const skip = new Set(exclude.flatMap((p) => [p, `${p}-wal`, `${p}-shm`, `${p}-journal`]).map((p) => resolve(p)));
  const inputs: Input[] = [];
  const problems: InputProblem[] = [];
  // A glob like "srv/**/*" names a file and every folder above it: each file is read once.
  const seen = new Set<string>();
  const walk = (p: string): void => {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      problems.push({ name: p, reason: code === 'ENOENT' ? 'no such file or directory' : `cannot read (${code})` });
      return;
    }
    if (st.isDirectory()) {
      let names: string[];
      try {
        names = readdirSync(p).sort();
      } catch (e) {
        problems.push({ name: p, reason: `cannot list folder (${(e as NodeJS.ErrnoException).code})` });
        return;
      }
      for (const n of names) if (!n.startsWith('.')) walk(join(p, n));
    } else if (st.isFile() || st.isFIFO()) {
      const full = resolve(p);
      if (!skip.has(full) && !seen.has(full)) {
        seen.add(full);
        inputs.push({ name: p, path: p });
      }
    }
  };
  for (const p of paths.length ? paths : ['-']) {
    if (p === '-') inputs.push({ name: '-', path: null });
    else if (/[*?[{]/.test(p) && !exists(p)) {
      // A glob quoted for us (cron has no shell expansion of its own).
      const matches = globSync(p, { onlyFiles: false, dot: false, expandDirectories: false }).sort();
      if (!matches.length) problems.push({ name: p, reason: 'no file matches this pattern' });
      for (const m of matches) walk(m);
    } else walk(p);
  }
  return { inputs, problems };
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
