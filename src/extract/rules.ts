/**
 * The extraction contract (README "What counts as an event"): Authing context first,
 * then the code by the first rule that matches: signature, JSON body, status line, key-value.
 */
import type { Signature } from '../registry/index.js';
import { UserError } from '../errors.js';
import { isOneTimeCode, redactionWindow } from './redact.js';
import type { Method } from '../types.js';

/** The Android SDK's own logcat tags (sdk-logging.md). */
export const SDK_TAGS: readonly string[] = [
  'Authing', 'Guard', 'Guardian', 'OIDCClient', 'SocialLoginButton', 'Uploader', 'DeviceManager',
  'AuthFlow', 'OneClick', 'DouYinCallBackActivity', 'WXCallbackActivity',
];

/** The SDK's social login handlers: their tags count only on their own failure lines. */
export const SOCIAL_HANDLER_TAGS: readonly string[] = [
  'Alipay', 'Lark', 'Github', 'Gitee', 'GitLab', 'Linkedin', 'Slack', 'HuaWei', 'Line', 'Amazon', 'OPPO', 'QQ',
  'Weibo', 'FaceBook', 'DingTalk', 'Baidu', 'Xiaomi', 'KuaiShou', 'WeCom', 'Twitter',
];

const AUTHING = /authing/i;

/** Longest detail stored, in characters. */
export const DETAIL_LENGTH = 120;

/** A code found in one message, before enrichment. */
export interface Found {
  code: number;
  method: Method;
  detail: string | null;
}

interface CompiledSignature {
  tags: Set<string>;
  re: RegExp;
  code?: number;
  codeGroup?: number;
  detail?: RegExp;
  stage: 'first' | 'status';
}

/** Compiled extraction rules; build once per run with compileRules. */
export interface Rules {
  contextTags: Set<string>;
  signatures: { first: Map<string, CompiledSignature[]>; status: Map<string, CompiledSignature[]> };
}

/** A signature's pattern; a bad one is the registry's fault, named in one line, not a crash. */
function compilePattern(source: string, s: Signature, field: 'message' | 'detail'): RegExp {
  try {
    return new RegExp(source);
  } catch (e) {
    throw new UserError('usage', `registry signature for tag ${s.tags[0]}${s.source ? ` (${s.source})` : ''}: ${field} is not a valid regular expression (${(e as Error).message}); fix the registry file`);
  }
}

/** Compiles the signatures and the set of tags that give Authing context. */
export function compileRules(signatures: readonly Signature[], userTags: readonly string[]): Rules {
  const first = new Map<string, CompiledSignature[]>();
  const status = new Map<string, CompiledSignature[]>();
  for (const s of signatures) {
    const c: CompiledSignature = {
      tags: new Set(s.tags),
      re: compilePattern(s.message, s, 'message'),
      code: s.code,
      codeGroup: s.codeGroup,
      detail: s.detail ? compilePattern(s.detail, s, 'detail') : undefined,
      stage: s.stage ?? 'first',
    };
    const into = c.stage === 'status' ? status : first;
    for (const t of s.tags) {
      const list = into.get(t) ?? [];
      list.push(c);
      into.set(t, list);
    }
  }
  return { contextTags: new Set([...SDK_TAGS, ...userTags]), signatures: { first, status } };
}

function applySignature(list: CompiledSignature[] | undefined, message: string): Found | null {
  if (!list) return null;
  for (const s of list) {
    const m = s.re.exec(message);
    if (!m) continue;
    const code = s.code ?? Number(m[s.codeGroup ?? 1]);
    if (!Number.isSafeInteger(code)) continue;
    const d = s.detail?.exec(message)?.[1]?.trim();
    // Cut to its window here; the extractor redacts it whole, then cuts it to DETAIL_LENGTH.
    return { code, method: 'signature', detail: d ? redactionWindow(d, DETAIL_LENGTH * 4) : null };
  }
  return null;
}

// `"code": 1703`, `"apiCode":"2011"`: JSON keys with a number or a numeric string.
const JSON_KEY = /"(code|apiCode|statusCode)"\s*:\s*(?:(-?\d+)|"(-?\d+)")(?![\d.eE])/g;
const JSON_PRIORITY: Record<string, number> = { code: 0, apiCode: 1, statusCode: 2 };

/**
 * Brace depth at increasing positions of one text, in one pass over it: a match asks for the depth
 * at its start, and matches come in order, so the walk goes on from where the last one stopped
 * (walking from 0 for every match was quadratic on `{"code":1,` repeated).
 */
class DepthWalker {
  private i = 0;
  private depth = 0;
  private inString = false;
  constructor(private readonly text: string) {}

  at(pos: number): number {
    const text = this.text;
    let { i, depth, inString } = this;
    for (; i < pos; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (c === 92 /* \ */) i++;
        else if (c === 34 /* " */) inString = false;
      } else if (c === 34) inString = true;
      else if (c === 123 /* { */) depth++;
      else if (c === 125 /* } */ && depth > 0) depth--;
    }
    this.i = i;
    this.depth = depth;
    this.inString = inString;
    return depth;
  }
}

/** Keys looked at in one message at most: work stays bounded however many a hostile line repeats. */
export const MAX_JSON_KEYS = 10_000;

/** The JSON-body rule: `code`, else `apiCode`, else `statusCode`, outermost object first. */
export function jsonCode(message: string): Found | null {
  if (!message.includes('"')) return null;
  let best: { key: string; value: number; depth: number } | null = null;
  const depths = new DepthWalker(message);
  let seen = 0;
  JSON_KEY.lastIndex = 0;
  for (let m = JSON_KEY.exec(message); m && seen < MAX_JSON_KEYS; m = JSON_KEY.exec(message), seen++) {
    const value = Number(m[2] ?? m[3]);
    if (!Number.isSafeInteger(value)) continue;
    const depth = depths.at(m.index);
    const key = m[1]!;
    if (!best || depth < best.depth || (depth === best.depth && JSON_PRIORITY[key]! < JSON_PRIORITY[best.key]!)) {
      best = { key, value, depth };
    }
  }
  return best ? { code: best.value, method: 'json', detail: best.key } : null;
}

// errCode = 2005, errorCode: 5, apiCode is 2333, statusCode is: 400, code=10008 (integer, may be negative)
const KEY_VALUE = /(?<![A-Za-z0-9_])(errCode|errorCode|apiCode|statusCode|code)\s*(?:=|:|\bis:?)\s*(-?\d+)(?![\w]|\.\d)/gi;
const KV_PRIORITY: Record<string, number> = { code: 0, errcode: 0, errorcode: 0, apicode: 1, statuscode: 2 };

/** The key-value rule; with several keys, code/errCode/errorCode beat apiCode beat statusCode. */
export function keyValueCode(message: string): Found | null {
  let best: { key: string; value: number } | null = null;
  KEY_VALUE.lastIndex = 0;
  for (let m = KEY_VALUE.exec(message); m; m = KEY_VALUE.exec(message)) {
    const value = Number(m[2]);
    if (!Number.isSafeInteger(value)) continue;
    const key = m[1]!;
    // `sms sent, code=482913`: a one-time code sent to the user, a secret, no error code (redact.ts redacts it)
    if (key.length === 4 && isOneTimeCode(message, m[2]!)) continue;
    if (!best || KV_PRIORITY[key.toLowerCase()]! < KV_PRIORITY[best.key.toLowerCase()]!) best = { key, value };
  }
  return best ? { code: best.value, method: 'key-value', detail: best.key } : null;
}

/** Applies the whole contract to one record's tag and message; null when it yields no event. */
export function findCode(rules: Rules, tag: string, message: string): Found | null {
  const sig = applySignature(rules.signatures.first.get(tag), message);
  if (sig) return sig;
  const context = rules.contextTags.has(tag) || AUTHING.test(tag) || AUTHING.test(message);
  if (!context) return null;
  return jsonCode(message) ?? applySignature(rules.signatures.status.get(tag), message) ?? keyValueCode(message);
}
