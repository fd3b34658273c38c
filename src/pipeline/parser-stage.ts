/** The Parser stage: lines -> records (RecordParser), records -> the Extractor stage; it answers the layout signal. */
import { RecordParser, type ParseOptions } from '../parse/records.js';
import type { FormatName, LogRecord } from '../types.js';
import type { LineParser } from './stages.js';

/** A RecordParser as a pipeline stage: each record goes to `onRecord`, unparsed lines are counted. */
export class RecordStage implements LineParser {
  private readonly parser: RecordParser;

  constructor(
    opts: ParseOptions,
    format: FormatName,
    private readonly onRecord: (r: LogRecord) => void,
    /** Each line that fits no layout, by number, with its text. */
    private readonly onUnparsed?: (n: number, text: string) => void,
  ) {
    this.parser = new RecordParser(opts);
    // Set, not forced: without --input-format the parser re-detects when a line does not fit.
    this.parser.setFormat(format);
  }

  line(text: string, n: number): boolean {
    const r = this.parser.push(text, n);
    if ('record' in r) {
      // a multi-line record this line ended comes first
      if (r.before) this.onRecord(r.before);
      this.onRecord(r.record);
    } else if ('unparsed' in r) this.onUnparsed?.(n, text);
    return this.parser.multiLine;
  }

  record(r: LogRecord): void {
    this.onRecord(r);
  }

  get openLine(): number | null {
    return this.parser.openLine;
  }

  /** What the parser carries from line to line beyond a record (RecordParser.studioTag): a look-back's, for a resumed run's. */
  get carried(): string | null | undefined {
    return this.parser.studioTag;
  }

  set carried(tag: string | null | undefined) {
    this.parser.studioTag = tag;
  }

  get format(): FormatName | null {
    return this.parser.format ?? null;
  }

  get multiLine(): boolean {
    return this.parser.multiLine;
  }

  /** Every layout a record came in, in order of first use. */
  get formatsSeen(): FormatName[] {
    return this.parser.formatsSeen;
  }

  /** Records cut at the record cap since the last call (counted like over-long lines). */
  takeCutRecords(): number {
    return this.parser.takeCutRecords();
  }

  end(): void {
    const last = this.parser.end();
    if (last) this.onRecord(last);
  }
}
