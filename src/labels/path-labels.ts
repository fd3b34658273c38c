/**
 * `--label-from-path 'device-logs/{device}/{date}/*'`: labels from where a capture lies. The
 * pattern is a glob (picomatch: `*`, `**`, `?`, `[...]`) with named placeholders, each one path
 * segment or part of one; it matches the end of the input's path at a folder boundary, so a
 * relative pattern fits an absolute path. A path that does not match gets no label.
 */
import picomatch from 'picomatch';
import { UserError } from '../errors.js';
import { badLabelKey, type Labels } from './labels.js';

/** A compiled `--label-from-path` pattern. */
export type PathLabeler = (path: string) => Labels;

const PLACEHOLDER = /\{([^{}/]*)\}/g;

/** Compiles a pattern; a bad placeholder name is a usage error (exit 2). */
export function compilePathLabels(pattern: string): PathLabeler {
  const names: string[] = [];
  // Placeholders become plain-word slots picomatch keeps as they are, then named groups in its regex.
  const slotted = pattern.replace(PLACEHOLDER, (_m, name: string) => {
    const why = badLabelKey(name);
    if (why) throw new UserError('usage', `--label-from-path ${JSON.stringify(pattern)}: {${name}} is not a label key; ${why}`);
    if (names.includes(name)) throw new UserError('usage', `--label-from-path ${JSON.stringify(pattern)}: {${name}} appears twice; name each placeholder once`);
    names.push(name);
    return `labelslot${names.length - 1}x`;
  });
  if (/[{}]/.test(slotted)) throw new UserError('usage', `--label-from-path ${JSON.stringify(pattern)}: an unclosed or empty brace; placeholders are {name}`);
  if (!names.length) throw new UserError('usage', `--label-from-path ${JSON.stringify(pattern)}: no {name} placeholder; e.g. 'device-logs/{device}/{date}/*'`);
  const rooted = slotted.startsWith('/') ? slotted : `**/${slotted.replace(/^\.\//, '')}`;
  let source = picomatch.makeRe(rooted, { dot: true }).source;
  names.forEach((name, i) => {
    source = source.replace(`labelslot${i}x`, `(?<${name}>[^/]+?)`);
  });
  const re = new RegExp(source);
  return (path: string) => {
    const m = re.exec(path.replaceAll('\\', '/'));
    return m?.groups ? { ...m.groups } : {};
  };
}
