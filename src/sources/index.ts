/** Sources: command-line paths -> inputs (files, folders, globs, stdin, bugreport zip entries) -> byte streams. */
import { expandInputs, type Input, type InputProblem } from './inputs.js';
import { bugreportEntries, isZip } from './zip.js';
import { terminalText } from '../sinks/terminal-text.js';
import { UserError } from '../errors.js';

export type { Input, InputProblem } from './inputs.js';
export { openInput, type OpenedInput } from './open.js';
export { lineChunks, type LineChunk } from './chunks.js';

/** Expands paths, then replaces each bugreport zip by its logcat text entries. */
export async function listInputs(paths: readonly string[], exclude: readonly string[] = [], settingsFiles: readonly string[] = []): Promise<{ inputs: Input[]; problems: InputProblem[] }> {
  // `authing-triage "$LOG"` with LOG unset: it said ": no such file or directory", naming nothing.
  if (paths.includes('')) throw new UserError('usage', 'an empty path ("") was given (a shell variable that is not set?); give a file, a folder or - for stdin');
  const { inputs, problems } = expandInputs(paths, exclude, settingsFiles);
  const out: Input[] = [];
  for (const input of inputs) {
    let zip = false;
    try {
      zip = input.path !== null && !input.pipe && (await isZip(input.path));
    } catch {
      zip = false; // unreadable: openInput reports it
    }
    if (!zip) {
      out.push(input);
      continue;
    }
    try {
      const { entries, unsafe } = await bugreportEntries(input.path!);
      const skipped = unsafe.length ? slipped(unsafe) : '';
      if (!entries.length) problems.push({ name: input.name, reason: skipped ? `${skipped}, and no other bugreport*.txt is inside; nothing to read` : 'a zip without a bugreport*.txt inside; nothing to read (a zip of captures: unzip it and give its files)' });
      else if (skipped) problems.push({ name: input.name, reason: `${skipped}; the other entries were read`, note: true });
      for (const entry of entries) out.push({ name: `${input.name}!${terminalText(entry)}`, path: input.path, entry });
    } catch (e) {
      problems.push({ name: input.name, reason: `corrupt zip (${(e as Error).message})` });
    }
  }
  return { inputs: out, problems };
}

/** How many entries of a zip were skipped for a name that leaves the archive, and the first three names, escaped. */
function slipped(names: readonly string[]): string {
  const shown = names.slice(0, 3).map((n) => terminalText(n)).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
  return names.length === 1 ? `1 entry whose name leaves the archive was skipped (${shown})` : `${names.length} entries whose names leave the archive were skipped (${shown})`;
}
