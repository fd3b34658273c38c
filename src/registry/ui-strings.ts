/**
 * The fixed strings printers emit, one table per language. The Chinese table is our own
 * translation of the English one (authored; not registry text). Category and outcome ids stay
 * ASCII in JSON and CSV; these are their display forms.
 */

/** "1 event", "2 events". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The languages a run can print in. */
export const LANGS = ['en', 'zh'] as const;
export type Lang = (typeof LANGS)[number];

/** Every fixed string a printer needs. */
export interface UiStrings {
  columns: Record<'code' | 'category' | 'kind' | 'message' | 'count' | 'tag' | 'source' | 'day' | 'hour' | 'outcome' | 'canceled' | 'previous' | 'change' | 'changePct' | 'flag' | 'cause' | 'share', string>;
  outcomes: Record<'failed' | 'canceled' | 'error' | 'success', string>;
  /** A list of short items, and a note in brackets after a value, as this language writes them. */
  list: (items: string[]) => string;
  aside: (text: string) => string;
  flags: { new: string; spike: string };
  /** Shown for a code whose registry entry has no text in this language. */
  noText: string;
  unregisteredCode: (code: number) => string;
  live: { whatToDo: string; docs: string; notRegistered: string; events: (n: number) => string };
  explain: {
    category: string; outcomes: string; message: string; description: string; causes: string; whatToDo: string; docs: string;
    from: string; overridden: string; seen: string; never: string; seenTimes: (n: number, last: string | null) => string;
    sources: string; noAction: string; unknown: (code: string) => string;
    /** How a text was made, before the files it rests on. */
    translatedFrom: (lang: string) => string; authored: string; fieldSep: string;
  };
  summary: {
    /** `inputs`: how many inputs `files` speaks of (for "1 input", "2 inputs"). */
    line: (events: number, lines: number, mb: string, files: string, secs: string, inputs: number) => string;
    /** The heading of the end-of-run code table: `top` shown of `total` failure codes, plus `extra` unregistered ones. */
    topCodes: (top: number, total: number, extra: number) => string;
    files: (f: { read: number; resumed: number; skipped: number; taken: number; failed: number; notLog: number }) => string;
    unparsed: (n: number) => string;
    overlong: (n: number) => string;
    /** Inputs skipped as not a log, after the line (not one of the inputs it counts). */
    notLog: (n: number) => string;
  };
  html: {
    title: string; window: string; generated: string; beginning: string; now: string; events: string; distinctCodes: string;
    unregisteredEvents: string; sources: string; perBucket: (kind: 'day' | 'hour') => string; byCategory: string; topCodes: string;
    unregistered: string; meaning: string; docs: string; latestLine: string; noCause: string; context: (n: number) => string; cause: string; latestEvent: string; noContext: string; noUnregistered: string; noEvents: string; lines: string; lastRead: string;
    chartLabel: string; notInRegistry: string;
    /** The chart's column of events without a time stamp, and its two-line tick label. */
    noTime: string; noTimeTick: [string, string];
    /** Under the chart, when its axis was cut: the dated events before its first day (authored). */
    earlier: (n: number, day: string) => string;
    undatedNote: (n: number) => string;
    and: string; byDims: (name: string) => string; compareTitle: (name: string) => string; before: string; after: string; change: string; note: string;
    newCodes: string; spikingCodes: string; noNewCodes: string; noSpikes: string;
    failureCodes: (shown: number, total: number) => string; successes: string;
  };
  /** One-line notes on stderr about what a report window or a run's filters leave out, and what prune did. */
  notes: {
    /** A window as a user typed it back: `since X`, `before Y`, `from X to Y`. */
    window: (since: string | undefined, until: string | undefined) => string;
    noEvents: (window: string) => string;
    storeHolds: (n: number, first: string, last: string) => string;
    undatedApart: (n: number) => string;
    undatedLeftOut: (n: number) => string;
    filteredOut: (hidden: number, stored: number) => string;
    reread: (n: number) => string;
    pruned: (where: string, events: number, before: string, counts: number, vacuumed: boolean) => string;
  };
}

const en: UiStrings = {
  columns: {
    code: 'CODE', category: 'CATEGORY', kind: 'KIND', message: 'MESSAGE', count: 'EVENTS', tag: 'TAG', source: 'SOURCE', day: 'DAY', hour: 'HOUR',
    outcome: 'OUTCOME', canceled: 'CANCELED', previous: 'BEFORE', change: 'CHANGE', changePct: '%', flag: 'NOTE', cause: 'CAUSE', share: 'SHARE %',
  },
  outcomes: { failed: 'failed', canceled: 'canceled', error: 'error', success: 'success' },
  list: (items) => items.join(', '),
  aside: (text) => ` (${text})`,
  flags: { new: 'new', spike: 'spike' },
  noText: '(no English text in the registry yet; see the docs link)',
  unregisteredCode: (code) => `unregistered code ${code}`,
  live: { whatToDo: 'what to do', docs: 'docs', notRegistered: 'not in the registry: add it with --registry FILE', events: (n) => plural(n, 'event') },
  explain: {
    category: 'category', outcomes: 'outcomes', message: 'message', description: 'description', causes: 'causes', whatToDo: 'what to do', docs: 'docs',
    from: 'from', overridden: 'overridden', seen: 'seen', never: 'not seen in this database',
    seenTimes: (n, last) => `${n} times${last ? `, last ${last}` : ''}`,
    sources: 'sources', noAction: 'the registry has no steps for this code yet: see the docs link', unknown: (code) => `${code} is not in the registry (counted as unregistered); add it with --registry FILE`,
    translatedFrom: (lang) => `translated from ${lang}:`, authored: 'authored; based on', fieldSep: '; ',
  },
  summary: {
    line: (events, lines, mb, files, secs, inputs) => `${plural(events, 'event')} in ${plural(lines, 'line')} (${mb} MB) from ${files} ${inputs === 1 ? 'input' : 'inputs'} in ${secs} s`,
    topCodes: (top, total, extra) =>
      (total > top ? `top ${top} of ${total} failure codes` : total === 1 ? 'the failure code' : `all ${total} failure codes`) +
      (extra ? `, and ${plural(extra, 'more unregistered code')} (always listed)` : '') + ':',
    files: (f) => [`${f.read} read`, f.resumed && `${f.resumed} resumed`, f.skipped && `${f.skipped} already counted`, f.taken && `${f.taken} left to another run`, f.failed && `${f.failed} failed`].filter(Boolean).join(', '),
    unparsed: (n) => `; ${plural(n, 'unparsed line')} that could hold an event`,
    overlong: (n) => `; ${plural(n, 'over-long line')} cut`,
    notLog: (n) => `; ${n} skipped: not a log`,
  },
  html: {
    title: 'Authing triage report', window: 'Window', generated: 'generated', beginning: 'the beginning', now: 'now', events: 'Events', distinctCodes: 'Distinct codes',
    unregisteredEvents: 'Unregistered events', sources: 'Sources', perBucket: (kind) => `Events per ${kind}, by category`, byCategory: 'By category', topCodes: 'Top codes',
    unregistered: 'Unregistered codes', meaning: 'Meaning and what to do', docs: 'Docs', latestLine: 'Latest line (redacted)', noCause: '(none found)', context: (n) => `${n} ${n === 1 ? 'line' : 'lines'} before it in the same process (redacted)`, cause: 'cause', latestEvent: 'Latest event', noContext: 'no context kept (--context 0, or stored before context was kept)',
    noUnregistered: 'None: every code seen is in the registry.', noEvents: 'No events in this window.', lines: 'Lines', lastRead: 'Last read',
    chartLabel: 'Events over time, stacked by category', notInRegistry: '(not in the registry)',
    noTime: 'no time stamp', noTimeTick: ['no time', 'stamp'],
    earlier: (n, day) => `${n} earlier event${n === 1 ? '' : 's'}, before ${day}, ${n === 1 ? 'is' : 'are'} counted in the tables and not drawn`,
    undatedNote: (n) => `${n.toLocaleString('en-US')} ${n === 1 ? 'event has' : 'events have'} no time stamp (brief, tag or raw captures): the bar on the right, outside the time axis. A --since or --until window cannot include them.`,
    and: ' and ', byDims: (name) => `By ${name}`, compareTitle: (name) => `By ${name}, against the period before`, before: 'Before', after: 'After', change: 'Change', note: 'Note',
    newCodes: 'New codes', spikingCodes: 'Spiking codes', noNewCodes: 'None: every code of this period was seen in the one before.', noSpikes: 'None: no failure code at least doubled by 5 or more.',
    failureCodes: (shown, total) => (total > shown ? `Top ${shown} of ${total} failure codes` : `Failure codes (${total})`), successes: 'Successes (not failures)',
  },
  notes: {
    window: (since, until) => (until === undefined ? `since ${since}` : since === undefined ? `before ${until}` : `from ${since} to ${until}`),
    noEvents: (window) => `no events ${window}`,
    storeHolds: (n, first, last) => `the store holds ${plural(n, 'event')} from ${first} to ${last}: try --since ${first}`,
    undatedApart: (n) => `${plural(n, 'event')} without a time stamp, which no --since or --until window includes (see them with no window)`,
    undatedLeftOut: (n) => `${plural(n, 'event')} without a time stamp ${n === 1 ? 'is' : 'are'} in no --since or --until window, so not in this report; leave the window out to count ${n === 1 ? 'it' : 'them'}`,
    filteredOut: (hidden, stored) => `${hidden} of the ${plural(stored, 'event')} stored by this run ${hidden === 1 ? 'is' : 'are'} outside its filters (--since/--until/--level/--category/--code/--only-tag); report shows them`,
    reread: (n) => `${n} input(s) counted before under other settings were read again; the events those settings missed were added`,
    pruned: (where, events, before, counts, vacuumed) => `pruned ${where}: ${plural(events, 'event')} before ${before}${counts ? ` and ${counts} hourly count rows` : '; hourly counts kept'}${vacuumed ? '; space given back (VACUUM)' : ''}`,
  },
};

const zh: UiStrings = {
  columns: {
    code: '代码', category: '类别', kind: '来源类型', message: '说明', count: '事件数', tag: '标签', source: '来源', day: '日期', hour: '小时',
    outcome: '结果', canceled: '已取消', previous: '上期', change: '变化', changePct: '%', flag: '备注', cause: '原因', share: '占比 %',
  },
  outcomes: { failed: '失败', canceled: '取消', error: '错误', success: '成功' },
  list: (items) => items.join('，'),
  aside: (text) => `（${text}）`,
  flags: { new: '新出现', spike: '激增' },
  noText: '（注册表中暂无中文说明，请查看文档链接）',
  unregisteredCode: (code) => `未登记的代码 ${code}`,
  live: { whatToDo: '处理建议', docs: '文档', notRegistered: '不在注册表中：可用 --registry FILE 添加', events: (n) => `${n} 个事件` },
  explain: {
    category: '类别', outcomes: '结果类型', message: '说明', description: '描述', causes: '可能原因', whatToDo: '处理建议', docs: '文档',
    from: '出处', overridden: '已覆盖', seen: '出现', never: '此数据库中未出现',
    seenTimes: (n, last) => `${n} 次${last ? `，最近一次 ${last}` : ''}`,
    sources: '各来源', noAction: '注册表中暂无此代码的处理步骤：请查看文档链接', unknown: (code) => `${code} 不在注册表中（计为 unregistered）；可用 --registry FILE 添加`,
    translatedFrom: (lang) => (lang === 'en' ? '译自英文：' : lang === 'zh' ? '译自中文：' : `译自 ${lang}：`), authored: '据以下来源编写：', fieldSep: '；',
  },
  summary: {
    line: (events, lines, mb, files, secs) => `输入：${files}；${lines} 行（${mb} MB），${events} 个事件，用时 ${secs} 秒`,
    topCodes: (top, total, extra) =>
      (total > top ? `失败代码前 ${top} 个（共 ${total} 个）` : `全部 ${total} 个失败代码`) + (extra ? `，另有 ${extra} 个未登记代码（总是列出）` : '') + '：',
    files: (f) => [`已读 ${f.read} 个`, f.resumed && `续读 ${f.resumed} 个`, f.skipped && `${f.skipped} 个已计数`, f.taken && `${f.taken} 个由另一进程处理`, f.failed && `${f.failed} 个失败`].filter(Boolean).join('，'),
    unparsed: (n) => `；${n} 个可能含事件的行无法解析`,
    overlong: (n) => `；${n} 个超长行被截断`,
    notLog: (n) => `；${n} 个不是日志，已跳过`,
  },
  html: {
    title: 'Authing 问题分析报告', window: '时间范围', generated: '生成于', beginning: '最早', now: '现在', events: '事件', distinctCodes: '不同代码',
    unregisteredEvents: '未登记事件', sources: '来源', perBucket: (kind) => `每${kind === 'day' ? '天' : '小时'}事件数（按类别）`, byCategory: '按类别', topCodes: '最常见代码',
    unregistered: '未登记的代码', meaning: '含义与处理建议', docs: '文档', latestLine: '最近一行（已脱敏）', noCause: '（未找到）', context: (n) => `同一进程中此前的 ${n} 行（已脱敏）`, cause: '原因', latestEvent: '最近一次事件', noContext: '未保存上下文（--context 0，或在保存上下文之前存储）',
    noUnregistered: '无：出现的代码都在注册表中。', noEvents: '此时间范围内没有事件。', lines: '行数', lastRead: '最近读取',
    chartLabel: '事件随时间变化，按类别堆叠', notInRegistry: '（不在注册表中）',
    noTime: '无时间戳', noTimeTick: ['无时间戳', ''],
    earlier: (n, day) => `${day} 之前的 ${n} 个事件计入下方表格，图中未画出`,
    undatedNote: (n) => `${n} 个事件没有时间戳（brief、tag 或 raw 格式的日志）：即右侧时间轴之外的柱。--since 或 --until 时间范围不包含它们。`,
    and: '和', byDims: (name) => `按${name}`, compareTitle: (name) => `按${name}，与上一时段对比`, before: '上期', after: '本期', change: '变化', note: '备注',
    newCodes: '新出现的代码', spikingCodes: '激增的代码', noNewCodes: '无：本时段的代码在上一时段都出现过。', noSpikes: '无：没有失败代码翻倍且增加 5 个以上。',
    failureCodes: (shown, total) => (total > shown ? `失败代码前 ${shown} 个（共 ${total} 个）` : `失败代码（${total} 个）`), successes: '成功（不是失败）',
  },
  notes: {
    window: (since, until) => (until === undefined ? `${since} 以来` : since === undefined ? `${until} 之前` : `${since} 至 ${until} 之间`),
    noEvents: (window) => `${window}没有事件`,
    storeHolds: (n, first, last) => `数据库中有 ${n} 个事件，时间从 ${first} 到 ${last}：试试 --since ${first}`,
    undatedApart: (n) => `${n} 个事件没有时间戳，任何 --since 或 --until 时间范围都不包含它们（不加时间范围即可看到）`,
    undatedLeftOut: (n) => `${n} 个事件没有时间戳，不在任何 --since 或 --until 时间范围内，所以不在此报告中；去掉时间范围即可统计它们`,
    filteredOut: (hidden, stored) => `本次存入的 ${stored} 个事件中有 ${hidden} 个在本次的筛选条件（--since/--until/--level/--category/--code/--only-tag）之外；report 可以显示它们`,
    reread: (n) => `${n} 个此前在其他设置下计数的输入已重新读取，补上了那些设置漏掉的事件`,
    pruned: (where, events, before, counts, vacuumed) => `已清理 ${where}：删除 ${before} 之前的 ${events} 个事件${counts ? `和 ${counts} 行小时计数` : '；小时计数保留'}${vacuumed ? '；已回收空间（VACUUM）' : ''}`,
  },
};

/** The tables, by language. */
export const UI: Record<Lang, UiStrings> = { en, zh };
