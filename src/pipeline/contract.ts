/**
 * The extraction contract of a run, and what it means for a source read before: the settings that
 * decide what counts (extra tags, registry signatures, the code's contract version) as a set of
 * elements with a hash. A source remembers the union of the contracts its bytes were read under;
 * a run whose contract holds something that union lacks re-reads the source from the start and adds
 * what was missed (events are keyed by source and line, so nothing is counted twice). A run with
 * less (a tag dropped) reads on as usual and says that stored events stay until `rescan`.
 * Union, not last-wins: two contracts run alternately settle after one re-read each.
 */
import type { Extractor } from '../extract/index.js';
import type { Registry } from '../registry/index.js';
import { createSha256 } from './fingerprint.js';
import type { BatchProgress, SourceRow, Store } from '../store/store.js';
import type { AuthingEvent } from '../types.js';

/**
 * Bump when a change of the code changes what counts (rules.ts, the parsers): every source given
 * to a run of the new build is then re-read once and the events the old code missed are added.
 */
export const CONTRACT_VERSION = 1;

/** A contract: its sorted elements and their hash. */
export interface Contract {
  hash: string;
  elements: readonly string[];
}

const sha = (s: string): string => createSha256().update(s).digest('hex');

/** A contract of these elements (sorted, deduplicated). */
export function contractOf(elements: Iterable<string>): Contract {
  const sorted = [...new Set(elements)].sort();
  return { hash: sha(JSON.stringify(sorted)).slice(0, 32), elements: sorted };
}

/**
 * The contract of a run: the code's version, the extra context tags, every signature. Hashed when first
 * read (a source's stored contract is compared after its head is read), so that node:crypto is not loaded
 * before the first byte.
 */
export function runContract(extractor: Extractor, registry: Registry): Contract {
  let made: Contract | undefined;
  const contract = (): Contract =>
    (made ??= contractOf([
      `version:${CONTRACT_VERSION}`,
      ...extractor.tags.map((t) => `tag:${t}`),
      ...registry.signatures.map((s) => `signature:${sha(JSON.stringify(s)).slice(0, 16)}`),
    ]));
  return {
    get hash() {
      return contract().hash;
    },
    get elements() {
      return contract().elements;
    },
  };
}

/** How one source is read under a run's contract. */
export interface ContractPlan {
  /** The source row to read (reset by a rescan). */
  source: SourceRow;
  /** Read from the start: this run's contract has what the stored one lacks. */
  reread: boolean;
  /** Elements of the stored contract this run lacks (context removed): their events stay. */
  removed: string[];
  /** What every commit of this source adds to its progress. */
  progress: Pick<BatchProgress, 'reread' | 'contract'>;
  /**
   * False for an event a re-read must not store again: one older than what prune deleted, before the stored
   * offset (its count may be in counts_hourly already). Past that offset nothing was counted: all is stored.
   */
  storable?: (e: AuthingEvent) => boolean;
}

/**
 * Decides how to read `src` under `contract`; with `rescan`, first forgets what the source
 * contributed, so it is read again from the start as if new.
 */
export async function planContract(store: Store, src: SourceRow, contract: Contract | undefined, rescan = false): Promise<ContractPlan> {
  if (rescan) src = await store.resetSource(src.id);
  if (!contract) return { source: src, reread: false, removed: [], progress: {} };
  const run = { run: contract.hash };
  if (src.contract === contract.hash) return { source: src, reread: false, removed: [], progress: { contract: run } };
  await store.saveContract(contract.hash, JSON.stringify(contract.elements));
  // New: the first commit that reads bytes records this run's contract.
  if (src.contract === null && src.bytes_done === 0) return { source: src, reread: false, removed: [], progress: { contract: run } };
  const { stored, missing } = await storedDiff(store, src, contract);
  const removed = [...stored].filter((e) => !contract.elements.includes(e));
  // Less than the stored contract: read on; bytes read past the offset hold this contract only.
  if (!missing.length) return { source: src, reread: false, removed, progress: { contract: run } };
  const union = contractOf([...stored, ...contract.elements]);
  await store.saveContract(union.hash, JSON.stringify(union.elements));
  const prunedBefore = src.pruned_before;
  const progress = { reread: true, contract: { run: contract.hash, expect: src.contract, union: union.hash } };
  return {
    source: src,
    reread: true,
    removed,
    // The store records the union once the re-read has caught up with the stored offset.
    progress,
    // Before this fix past the offset too: a pruned file grown and read under a wider --tag lost 53 of its 59 new
    // events (an exactly-once review's find).
    storable: prunedBefore ? (e) => e.line > src.lines_done || e.time === null || e.time >= prunedBefore : undefined,
  };
}

/** The elements the source was read under, and those of `contract` not among them. */
async function storedDiff(store: Store, src: SourceRow, contract: Contract): Promise<{ stored: Set<string>; missing: string[] }> {
  const storedJson = src.contract === null ? undefined : await store.contractElements(src.contract);
  // Read before contracts were recorded (schema 1), or its contract lost: unknown, so re-read.
  const stored = new Set<string>(storedJson ? (JSON.parse(storedJson) as string[]) : []);
  return { stored, missing: contract.elements.filter((e) => !stored.has(e)) };
}

/**
 * True when a run under `contract` would read the source `src` again (its --tag or --registry finds what the
 * source was not read for): planContract's answer, with nothing written.
 */
export async function contractAdds(store: Store, src: SourceRow, contract: Contract | undefined): Promise<boolean> {
  if (!contract || src.contract === contract.hash || (src.contract === null && src.bytes_done === 0)) return false;
  return (await storedDiff(store, src, contract)).missing.length > 0;
}

/** The removed elements of a plan as words: "tags MainActivity, Login; 2 signatures". */
export function describeElements(elements: readonly string[]): string {
  const tags = elements.filter((e) => e.startsWith('tag:')).map((e) => e.slice(4));
  const sigs = elements.filter((e) => e.startsWith('signature:')).length;
  const versions = elements.filter((e) => e.startsWith('version:')).map((e) => e.slice(8));
  return [
    tags.length && `tag${tags.length > 1 ? 's' : ''} ${tags.join(', ')}`,
    sigs && `${sigs} registry signature${sigs > 1 ? 's' : ''}`,
    versions.length && `contract version ${versions.join(', ')}`,
  ].filter(Boolean).join('; ');
}
