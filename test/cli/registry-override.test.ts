/**
 * A `--registry` file that sets the `message` of a bundled code: what `explain`, `codes` and `report` show is the
 * user's message, and each field keeps the source it came from. Before, the bundled English message (which the
 * display prefers to `message`) was shown instead of theirs for a code such as 10001, while the store's codes
 * table held theirs; and every field of an overridden entry named the override file as its source, also the
 * description and advice it had not set (round eighteen's exactly-once review). Fails on the code before.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, runCli, tempDir } from '../helpers.js';

describe('a --registry file that sets a bundled code\'s message', () => {
  const dir = tempDir();
  const reg = join(dir, 'ours.json');
  writeFileSync(reg, JSON.stringify({ codes: [{ code: 10001, message: 'Our proxy dropped the request' }] }));

  it('explain shows it, and names the file as the message\'s source only', () => {
    const r = runCli(['explain', '--registry', reg, '10001']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('10001  Our proxy dropped the request');
    expect(r.stdout).not.toContain('Network error');
    const json = runCli(['codes', '--registry', reg, '--format', 'json']);
    expect(json.status, json.stderr).toBe(0);
    const entry = (JSON.parse(json.stdout) as { code: number; message: string; textSources: Record<string, string> }[]).find((e) => e.code === 10001)!;
    expect(entry.message).toBe('Our proxy dropped the request');
    expect(entry.textSources.message).toBe(`override ${reg}`);
    // the description and advice are the bundled ones, from the bundled sources
    expect(entry.textSources.description).toMatch(/seeds\//);
    expect(entry.textSources.actions).not.toContain('override');
  });

  it('with several files, each field names the file that set it; a Chinese message alone leaves the English one its source', () => {
    const [o1, o3, zh] = [join(dir, 'o1.json'), join(dir, 'o3.json'), join(dir, 'zh.json')] as const;
    writeFileSync(o1, JSON.stringify({ codes: [{ code: 10001, message: 'From the first file' }] }));
    writeFileSync(o3, JSON.stringify({ codes: [{ code: 10001, description: 'From the second file' }] }));
    writeFileSync(zh, JSON.stringify({ codes: [{ code: 10001, messageZh: '我们的网络说明' }] }));
    const two = runCli(['explain', '--registry', o1, '--registry', o3, '10001']);
    expect(two.status, two.stderr).toBe(0);
    expect(two.stdout).toContain(`from:        message: override ${o1}; description: override ${o3};`);
    expect(two.stdout).toContain(`overridden:  ${o1}, ${o3}`);
    const json = runCli(['codes', '--registry', zh, '--format', 'json']);
    const entry = (JSON.parse(json.stdout) as { code: number; messageZh: string; textSources: Record<string, string> }[]).find((e) => e.code === 10001)!;
    expect(entry.messageZh).toBe('我们的网络说明');
    expect(entry.textSources.message).not.toContain('override');
  });

  it('report shows it for the code\'s events', () => {
    const db = join(dir, 't.db');
    const run = runCli(['--db', db, '--quiet', '--registry', reg, join(FIXTURES, 'guard-threadtime.log')]);
    expect(run.status, run.stderr).toBe(0);
    const r = runCli(['report', '--db', db, '--registry', reg, '--since', '2000-01-01', '--by', 'code', '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const row = (JSON.parse(r.stdout) as { code: number; message: string }[]).find((x) => x.code === 10001)!;
    expect(row.message).toBe('Our proxy dropped the request');
  });
});

/**
 * A `--registry` file that sets some text fields of a bundled code: `--lang zh` showed none of the code's bundled
 * Chinese (its message fell back to an older field, its description, causes and advice were gone), because any text
 * field set dropped the whole bundled text (an earlier review's reproduction: an English `suggestion` for 2005). Now
 * each field the file sets wins in its language (`messageEn`/`messageZh` by name; `message`, `description` and
 * `suggestion` by their script), and every other field, in each language, keeps the bundled text and its source.
 * Each case fails on the code before.
 */
describe('a --registry file that sets some of a bundled code\'s text, under --lang zh', () => {
  const dir = tempDir();
  type Text = { en: string; zh: string; source: string };
  type Bundled = { code: number; text: { message: Text; description: Text; causes: { en: string[]; zh: string[]; source: string }; actions: { en: string[]; zh: string[]; source: string } } };
  const CODES = JSON.parse(readFileSync(join(ROOT, 'src', 'registry', 'codes.json'), 'utf8')) as { codes: Bundled[] };
  const bundled = CODES.codes.find((c) => c.code === 2005)!.text;

  /** `explain 2005` under these override files: its text view in `lang`, and its JSON. */
  function explain(lang: string, ...files: string[]): { text: string; json: Record<string, unknown> & { causes: { zh: string[] }; actions: { en: string[]; zh: string[] }; textSources: Record<string, string> } } {
    const regs = files.flatMap((f) => ['--registry', f]);
    const text = runCli(['explain', '2005', '--lang', lang, ...regs]);
    expect(text.status, text.stderr).toBe(0);
    const json = runCli(['explain', '2005', '--format', 'json', ...regs]);
    expect(json.status, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as unknown;
    return { text: text.stdout, json: (Array.isArray(parsed) ? parsed[0] : parsed) as never };
  }

  it('an English suggestion: the Chinese message, description, causes and advice stay the bundled ones; English shows the file\'s advice', () => {
    const reg = join(dir, 'advice.json');
    writeFileSync(reg, JSON.stringify({ codes: [{ code: 2005, suggestion: 'Call the on-call admin: +86 10 1234' }] }));
    const { text, json } = explain('zh', reg);
    expect(text.split('\n')[0]).toBe(`2005  ${bundled.message.zh}`);
    expect(text).toContain(bundled.description.zh);
    expect(text).toContain(bundled.causes.zh[0]);
    expect(text).toContain(bundled.actions.zh[0]);
    expect(text).not.toContain('Call the on-call admin');
    expect(json.messageZh).toBe(bundled.message.zh);
    expect(json.descriptionZh).toBe(bundled.description.zh);
    expect(json.suggestionZh).toBe(bundled.actions.zh.join(''));
    expect(json.causes.zh).toEqual(bundled.causes.zh);
    expect(json.actions).toEqual({ en: ['Call the on-call admin: +86 10 1234'], zh: bundled.actions.zh });
    expect(json.message).toBe(bundled.message.en);
    expect(json.description).toBe(bundled.description.en);
    expect(json.textSources).toEqual({ message: bundled.message.source, description: bundled.description.source, causes: bundled.causes.source, actions: `override ${reg}` });
    expect(explain('en', reg).text).toContain('what to do:  Call the on-call admin: +86 10 1234\n');
  });

  it('a Chinese message and description win in Chinese, the rest stays; English keeps all its bundled text', () => {
    const reg = join(dir, 'zh.json');
    writeFileSync(reg, JSON.stringify({ codes: [{ code: 2005, messageZh: '账号被我们的 SSO 锁定', description: '我们的网关在三次失败后锁定账号。' }] }));
    const { text, json } = explain('zh', reg);
    expect(text.split('\n')[0]).toBe('2005  账号被我们的 SSO 锁定');
    expect(text).toContain('我们的网关在三次失败后锁定账号。');
    expect(text).not.toContain(bundled.description.zh);
    expect(text).toContain(bundled.causes.zh[0]);
    expect(text).toContain(bundled.actions.zh[0]);
    expect(json.messageZh).toBe('账号被我们的 SSO 锁定');
    expect(json.descriptionZh).toBe('我们的网关在三次失败后锁定账号。');
    expect(json.suggestionZh).toBe(bundled.actions.zh.join(''));
    expect(json.message).toBe(bundled.message.en);
    expect(json.description).toBe(bundled.description.en);
    expect(json.actions).toEqual({ en: bundled.actions.en, zh: bundled.actions.zh });
    expect(json.textSources).toEqual({ message: bundled.message.source, description: bundled.description.source, causes: bundled.causes.source, actions: bundled.actions.source });
  });

  it('an English message wins in English; Chinese keeps the bundled message', () => {
    const reg = join(dir, 'en.json');
    writeFileSync(reg, JSON.stringify({ codes: [{ code: 2005, message: 'Account locked by our SSO' }] }));
    expect(explain('zh', reg).text.split('\n')[0]).toBe(`2005  ${bundled.message.zh}`);
    const { text, json } = explain('en', reg);
    expect(text.split('\n')[0]).toBe('2005  Account locked by our SSO');
    expect(json.messageZh).toBe(bundled.message.zh);
    expect(json.textSources.message).toBe(`override ${reg}`);
  });
});
