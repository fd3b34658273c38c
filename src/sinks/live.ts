/**
 * Live sinks: each event as it is found. The terminal printer renders with pino-pretty (time, level
 * colour, code, category, registry message, tag, excerpt; a code's suggestion and docs the first
 * time it appears) under a status line of running counts; the NDJSON sink writes pino-compatible
 * objects (level, time, msg and the event's fields).
 */
import type { PrettyOptions } from 'pino-pretty';
import { terminalJson, terminalText } from './terminal-text.js';
import type { Registry } from '../registry/index.js';
import { bilingual, categoryLabel, codeAction, codeMessage, ui, type Lang } from '../registry/text.js';
import type { AuthingEvent, Level } from '../types.js';

/** pino's numeric levels for logcat priorities. */
const PINO_LEVEL: Record<Level, number> = { V: 10, D: 20, I: 30, W: 40, E: 50, F: 60, S: 60, '?': 30 };

/** The pino-compatible object of an event: `msg` in the run's language, both languages beside it. */
export function eventObject(e: AuthingEvent, source: string, reg: Registry, lang: Lang = 'en'): Record<string, unknown> {
  const entry = reg.codes.get(e.code);
  const text = bilingual(entry);
  return {
    level: PINO_LEVEL[e.level ?? '?'],
    time: e.time ? Date.parse(e.time) : Date.now(),
    msg: codeMessage(entry, lang, e.code),
    message: text.message,
    messageZh: text.messageZh,
    suggestion: text.suggestion,
    suggestionZh: text.suggestionZh,
    code: e.code,
    category: e.category,
    outcome: e.outcome,
    method: e.method,
    detail: e.detail,
    tag: e.tag,
    pid: e.pid,
    tid: e.tid,
    logLevel: e.level,
    source,
    line: e.line,
    excerpt: e.excerpt,
    cause: e.cause ?? null,
    // `authing-triage show <event>`: the source's id and the line, known before the event is stored.
    ...(e.sourceId !== undefined ? { event: `${e.sourceId}:${e.line}` } : {}),
  };
}

/** Writes one NDJSON line per event to a stream. */
export class NdjsonSink {
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly reg: Registry,
    private readonly lang: Lang = 'en',
    /** --context was given: each line carries the event's context. */
    private readonly withContext = false,
  ) {}
  event(e: AuthingEvent, source: string): void {
    const o = eventObject(e, source, this.reg, this.lang);
    if (this.withContext) o.context = e.context ?? [];
    this.out.write(terminalJson(o) + '\n');
  }
  end(): void {}
}

/** The terminal printer with a status line. */
export class LivePrinter {
  private readonly pretty: (o: unknown) => string;
  private readonly seen = new Set<number>();
  private readonly counts = new Map<string, number>();
  private statusShown = false;

  /** Loads pino-pretty only when live output is wanted (it costs start-up time). */
  static async create(out: NodeJS.WriteStream | NodeJS.WritableStream, status: NodeJS.WriteStream | null, reg: Registry, color: boolean, lang: Lang = 'en'): Promise<LivePrinter> {
    const { prettyFactory } = await import('pino-pretty');
    return new LivePrinter(out, status, reg, color, prettyFactory, lang);
  }

  private constructor(
    private readonly out: NodeJS.WriteStream | NodeJS.WritableStream,
    private readonly status: NodeJS.WriteStream | null,
    private readonly reg: Registry,
    private readonly color: boolean,
    prettyFactory: (o: PrettyOptions) => (o: unknown) => string,
    private readonly lang: Lang = 'en',
  ) {
    this.pretty = prettyFactory({
      colorize: color,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      hideObject: true,
      singleLine: true,
      messageFormat: (log: Record<string, unknown>) =>
        `${log.code} ${color ? '\x1b[36m' : ''}[${log.categoryName}]${color ? '\x1b[0m' : ''}${log.outcomeName ? ` ${log.outcomeName}` : ''} ${log.msg}  ${color ? '\x1b[2m' : ''}${log.tag}: ${log.short}${color ? '\x1b[0m' : ''}`,
    });
  }

  event(e: AuthingEvent, source: string): void {
    this.clearStatus();
    const o = eventObject(e, source, this.reg, this.lang);
    const t = ui(this.lang);
    const short = e.excerpt.length > 100 ? e.excerpt.slice(0, 100) + '…' : e.excerpt;
    // The outcome is shown where it tells more than the code: a cancel, or a success.
    const outcomeName = e.outcome === 'canceled' || e.outcome === 'success' ? `(${t.outcomes[e.outcome]})` : '';
    // Every field from a log or a registry file is escaped: only this printer's own colours reach the terminal.
    let text = this.pretty({
      ...o, short: terminalText(short), msg: terminalText(String(o.msg)), tag: terminalText(e.tag), category: terminalText(e.category), source: terminalText(source),
      categoryName: terminalText(categoryLabel(e.category, this.lang)), outcomeName,
    });
    if (!text.endsWith('\n')) text += '\n';
    if (!this.seen.has(e.code)) {
      this.seen.add(e.code);
      const entry = this.reg.codes.get(e.code);
      const dim = (s: string) => (this.color ? `\x1b[2m${s}\x1b[0m` : s);
      const action = codeAction(entry, this.lang);
      if (action) text += dim(`    ${t.live.whatToDo}: ${terminalText(action)}`) + '\n';
      if (entry?.docs) text += dim(`    ${t.live.docs}: ${terminalText(entry.docs)}`) + '\n';
      if (!entry) text += dim(`    ${t.live.notRegistered}`) + '\n';
    }
    this.out.write(text);
    this.counts.set(e.category, (this.counts.get(e.category) ?? 0) + 1);
    this.drawStatus();
  }

  /** The running counts, e.g. "12 events · network 5 · mfa 4 · ...". */
  statusText(): string {
    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    const parts = [...this.counts].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${terminalText(categoryLabel(c, this.lang))} ${n}`);
    return `${ui(this.lang).live.events(total)} · ${parts.join(' · ')}`;
  }

  private drawStatus(): void {
    if (!this.status?.isTTY) return;
    const width = this.status.columns || 100;
    let s = this.statusText();
    if (s.length > width - 1) s = s.slice(0, width - 2) + '…';
    this.status.write(`\r\x1b[K${this.color ? '\x1b[7m' : ''}${s}${this.color ? '\x1b[0m' : ''}`);
    this.statusShown = true;
  }

  private clearStatus(): void {
    if (this.statusShown && this.status?.isTTY) this.status.write('\r\x1b[K');
    this.statusShown = false;
  }

  end(): void {
    this.clearStatus();
  }
}
