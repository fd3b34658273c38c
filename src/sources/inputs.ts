/** Command-line paths -> the list of inputs to read (files, folders recursed, `-` for stdin). */
import { readdirSync, statSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { globSync } from 'tinyglobby';
import { terminalText } from '../sinks/terminal-text.js';

/** One thing to read. */
export interface Input {
  /** Shown to people and stored: the path (control characters escaped), or `-` for stdin. */
  name: string;
  /** Null for stdin. */
  path: string | null;
  /** For a bugreport zip: the text entry inside it. */
  entry?: string;
  /** A FIFO given as a path: read once, front to back, like stdin (no seek, no zip test). */
  pipe?: boolean;
}

/** An input that could not be listed, reported as one line; a note is a warning, not a failure. */
export interface InputProblem {
  name: string;
  reason: string;
  note?: boolean;
}

/** What a path that is neither a file nor a folder is, for the one-line message. */
function specialKind(st: Stats): string {
  return st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : 'a FIFO (named pipe)';
}

/**
 * Expands paths: folders are walked (sorted, hidden entries skipped), `-` is stdin. Files in
 * `exclude` (the database and its -wal/-shm/-journal files) are never read. A folder reached twice
 * (a symlink to `.` or to a parent) is read once, known by device and inode. A FIFO is read when
 * given as a path and skipped inside a folder (it could block the run); a device is never read
 * from a path (`/dev/zero` has no end): pipe it to `-` to read it on purpose. Files named as in
 * `settingsFiles` (the config file names) are not read inside a folder.
 */
export function expandInputs(paths: readonly string[], exclude: readonly string[] = [], settingsFiles: readonly string[] = []): { inputs: Input[]; problems: InputProblem[] } {
  const skip = new Set(exclude.flatMap((p) => [p, `${p}-wal`, `${p}-shm`, `${p}-journal`]).map((p) => resolve(p)));
  const inputs: Input[] = [];
  const problems: InputProblem[] = [];
  const folders = new Set<string>();
  // A glob like "srv/**/*" names a file and every folder above it, and follows symlinked folders
  // (srv/c/link -> ../a): each file is read once, known by device and inode like a folder.
  const seen = new Set<string>();
  // given: named on the command line; inFolder: reached by walking a folder (not named by a glob).
  const walk = (p: string, given: boolean, inFolder = false): void => {
    const name = terminalText(p);
    let st: Stats;
    try {
      st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'ELOOP' ? 'a symlink loop (it points back to itself)' : `cannot read (${code})`;
      // A dangling or looping link inside a folder is the folder's business: note it, read the rest.
      problems.push({ name, reason, note: !given && (code === 'ENOENT' || code === 'ELOOP') ? true : undefined });
      return;
    }
    if (st.isDirectory()) {
      const id = `${st.dev}:${st.ino}`;
      if (folders.has(id)) {
        // A folder named twice ("srv/**/*" names each folder and all below it) is simply read once;
        // one reached again from inside a folder came through a symlink: a loop worth a note.
        if (inFolder) problems.push({ name, reason: 'a folder already read (a symlink back to it); read once, skipped here', note: true });
        return;
      }
      folders.add(id);
      let names: string[];
      try {
        names = readdirSync(p).sort();
      } catch (e) {
        problems.push({ name, reason: `cannot list folder (${(e as NodeJS.ErrnoException).code})` });
        return;
      }
      // The tool's own settings files are not logs: inside a folder they are passed over, not read as raw lines.
      for (const n of names) if (!n.startsWith('.') && !settingsFiles.includes(n)) walk(join(p, n), false, true);
    } else if (st.isFile()) {
      const id = `${st.dev}:${st.ino}`;
      if (!skip.has(resolve(p)) && !seen.has(id)) {
        seen.add(id);
        inputs.push({ name, path: p });
      }
    } else if (st.isFIFO() && given) {
      const id = `${st.dev}:${st.ino}`;
      if (!seen.has(id)) {
        seen.add(id);
        inputs.push({ name, path: p, pipe: true });
      }
    } else if (given) {
      problems.push({ name, reason: `${specialKind(st)}, not a log file; to read it on purpose, pipe it: authing-triage - < ${name}` });
    } else {
      problems.push({ name, reason: `${specialKind(st)} inside a folder; skipped (give it as a path to read a FIFO)`, note: true });
    }
  };
  for (const p of paths.length ? paths : ['-']) {
    if (p === '-') inputs.push({ name: '-', path: null });
    else if (/[*?[{]/.test(p) && !exists(p)) {
      // A glob quoted for us (cron has no shell expansion of its own).
      const matches = globSync(p, { onlyFiles: false, dot: false, expandDirectories: false }).sort();
      if (!matches.length) problems.push({ name: terminalText(p), reason: 'no file matches this pattern' });
      for (const m of matches) walk(m, false);
    } else walk(p, true);
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
