/**
 * Store -> store copy (`migrate`): every source, its events and its offset, through the same
 * `writeBatch` that ingest uses, so the target counts each event exactly once however often the
 * copy runs, and alongside ingests from other hosts.
 */
import type { AuthingEvent, Level, Method, Outcome } from '../types.js';
import type { Labels } from '../labels/labels.js';
import { SourceTakenError, type SourceRow, type Store } from './store.js';
import { parseContext } from './context-migration.js';

/** What a copy did for one source. */
export interface CopiedSource {
  name: string;
  events: number;
  added: number;
  /** Counts in the origin's counts_hourly for this source, to check against the events. */
  counted: number;
}

interface Row {
  line: number;
  time: string | null;
  code: number;
  method: string;
  detail: string | null;
  pid: number | null;
  tid: number | null;
  level: string | null;
  tag: string;
  excerpt: string;
  outcome: string;
  context: string | null;
  cause: string | null;
}

const PAGE = 5000;

/** Copies all of `from` into `to`; a re-run adds nothing. */
export async function copyStore(from: Store, to: Store): Promise<CopiedSource[]> {
  const out: CopiedSource[] = [];
  const sources = await from.all<SourceRow>('SELECT * FROM sources ORDER BY id');
  for (const s of sources) {
    // its lead (schema 9: an origin of an older schema has none) comes along, so its shorter copies are known there
    const target = await to.claimSource(s.head_len, s.head_hash, s.name, s.lead_hash ?? null);
    // a row there already (an older build's, upgraded) has none: it gets the origin's (noteLead never replaces one)
    if (s.lead_hash && !target.lead_hash) await to.noteLead(target.id, s.lead_hash);
    // where its file is and the settings its events were made under (schema 8) come along too
    if (s.path) await to.notePath(target.id, s.path);
    if (s.shape) await to.noteShape(target.id, s.shape);
    // The contract it was read under comes along, so the target does not re-read it (schema 2 origins).
    const contract = s.contract ? await from.contractElements(s.contract) : undefined;
    if (contract) await to.saveContract(s.contract!, contract);
    // Its labels come along (an origin of schema 4 or older has none).
    await to.setLabels(target.id, await labelsOrNone(from, s.id));
    // What a prune deleted here stays deleted there: a re-read there does not store those events again.
    if (s.pruned_before) await to.notePruned(target.id, s.pruned_before);
    const [c] = await from.all<{ n: number | null }>('SELECT SUM(count) AS n FROM counts_hourly WHERE source_id = ?', [s.id]);
    const copied: CopiedSource = { name: s.name, events: 0, added: 0, counted: c?.n ?? 0 };
    let after = 0;
    for (;;) {
      const rows = await from.all<Row>(
        'SELECT line, time, code, method, detail, pid, tid, level, tag, excerpt, outcome, context, cause FROM events WHERE source_id = ? AND line > ? ORDER BY line LIMIT ?',
        [s.id, after, PAGE],
      );
      const last = rows.length < PAGE;
      const events: AuthingEvent[] = rows.map((r) => ({ ...r, category: '', method: r.method as Method, level: r.level as Level | null, outcome: r.outcome as Outcome, context: parseContext(r.context) }));
      copied.added += (await writeKeepingOffset(to, target.id, events, last ? s : null, contract ? s.contract : null)).length;
      copied.events += rows.length;
      if (last) break;
      after = rows[rows.length - 1]!.line;
    }
    // The hourly counts come along whole, after the events (which count themselves): those of events a prune
    // deleted were lost, the copy counting the events alone (an adversarial review). Raised to the origin's, never
    // added to, so a copy run again, or killed between its events and this, counts nothing twice.
    const counts = await from.all<{ hour: string; code: number; tag: string; outcome: string; count: number }>('SELECT hour, code, tag, outcome, count FROM counts_hourly WHERE source_id = ?', [s.id]);
    await to.raiseCounts(target.id, counts.map((r) => [r.hour, r.code, r.tag, r.outcome, r.count]));
    out.push(copied);
  }
  return out;
}

/** The labels of a source of `from`, or none when its schema predates labels (a read-only origin is not migrated). */
async function labelsOrNone(from: Store, id: number): Promise<Labels> {
  try {
    return await from.labelsOf(id);
  } catch {
    return {};
  }
}

/**
 * Writes events to a target source without moving its offset back; with `finish`, takes it to
 * the origin's offset when that is further. Retries when an ingest elsewhere moves it meanwhile.
 */
async function writeKeepingOffset(to: Store, id: number, events: AuthingEvent[], finish: SourceRow | null, contract: string | null): Promise<AuthingEvent[]> {
  for (let attempt = 0; ; attempt++) {
    const [cur] = await to.all<SourceRow>('SELECT * FROM sources WHERE id = ?', [id]);
    const further = finish !== null && finish.bytes_done > cur!.bytes_done;
    try {
      return await to.writeBatch(id, events, {
        fromBytes: cur!.bytes_done,
        bytes: further ? finish.bytes_done : cur!.bytes_done,
        lines: further ? finish.lines_done : cur!.lines_done,
        complete: further ? !!finish.complete : !!cur!.complete,
        format: further ? finish.format : null,
        // The hash of the bytes up to the offset comes along with it (another file with the same head was taken
        // for this one without it, and its events lost); a batch that leaves the offset keeps the target's.
        prefixHash: further ? finish.prefix_hash : cur!.prefix_hash,
        // Taking the target to the origin's offset, it takes the contract that holds up to there.
        ...(further && contract ? { contract: { run: contract } } : {}),
      });
    } catch (e) {
      if (!(e instanceof SourceTakenError) || attempt > 20) throw e;
    }
  }
}
