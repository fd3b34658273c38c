/** Command-line paths -> the list of inputs to read (files, folders recursed, `-` for stdin). */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** One thing to read. */
export interface Input {
  /** Shown to people and stored: the path, or `-` for stdin. */
  name: string;
  /** Null for stdin. */
  path: string | null;
}

/** An input that could not be listed, reported as one line. */
export interface InputProblem {
  name: string;
  reason: string;
}

/** Expands paths: folders are walked (sorted, hidden entries skipped), `-` is stdin. */
export function expandInputs(paths: readonly string[]): { inputs: Input[]; problems: InputProblem[] } {
  const inputs: Input[] = [];
  const problems: InputProblem[] = [];
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
      inputs.push({ name: p, path: p });
    }
  };
  for (const p of paths.length ? paths : ['-']) {
    if (p === '-') inputs.push({ name: '-', path: null });
    else walk(p);
  }
  return { inputs, problems };
}
