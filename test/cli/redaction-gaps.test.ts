/**
 * The review of redaction gaps, through the real bin: each secret or personal number below reached a stored field
 * (excerpt, detail, context lines) or the printed NDJSON on the code before. Each line holds an event's code (errCode =
 * 2005) and, on the line before it (a context line of the event), another copy.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { query, runCli, tempDir } from '../helpers.js';

function ingest(name: string, lines: string[]): { stored: string; stdout: string } {
  const dir = tempDir();
  const f = join(dir, name);
  writeFileSync(f, lines.join('\n') + '\n');
  const db = join(dir, 't.db');
  const r = runCli(['--db', db, '--year', '2026', '--json', f]);
  expect(r.status, r.stderr).toBe(0);
  expect(query(db, 'SELECT code FROM events')).toEqual([{ code: 2005 }]);
  return { stored: JSON.stringify(query(db, 'SELECT tag, detail, excerpt, context FROM events')), stdout: r.stdout };
}

const pair = (secretLine: (n: number) => string): string[] => [
  `03-17 16:13:46.100  4672  4672 D OkHttp  : ${secretLine(1)}`,
  `03-17 16:13:46.187  4672  4672 E SocialLoginButton: loginDone: errCode = 2005 errMessage = ${secretLine(2)}`,
];

describe('secrets and personal numbers the review of redaction gaps found stored', () => {
  it.each([
    ['encoded-header.log', (n: number) => `GET https%3A%2F%2Fx.cn%2Fapi%3Fh%3DAuthorization%3A%20Bearer%20opaqueCLITOKEN${n}77%26y%3D1`, ['opaqueCLITOKEN177', 'opaqueCLITOKEN277']],
    ['base64-jwt.log', (n: number) => `token eyJhbGci+OiJ/IUzI1NiJ9.eyJz/dWIi+OiIx==.c2ln+SIG${n}B64== sent`, ['SIG1B64', 'SIG2B64', 'OiJ/IUzI']],
    ['encodeuri-json.log', (n: number) => `GET /cb?q=%7B%22password%22:%22hunter${n}PW%22,%22access_token%22:%22opaqueURI${n}TOK%22%7D`, ['hunter1PW', 'hunter2PW', 'opaqueURI1TOK', 'opaqueURI2TOK']],
    ['jwt-rest.log', (n: number) => `password=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIx!REST${n}PW next`, ['REST1PW', 'REST2PW']],
    // (real ID numbers: their check characters right)
    ['spaced-id.log', (n: number) => `verify 身份证 110101 19900307 ${['6616', '6624'][n - 1]} 1101 0119 9103 0766 ${['13', '21'][n - 1]} failed`, ['19900307', '6616', '6624', '0766 13', '0766 21']],
    ['old-id.log', (n: number) => `user {"idCard":"11010190030766${n}","name":"x"}`, ['11010190030766']],
    // The second review of redaction gaps: each secret below was stored as it stands on the code before (the ID numbers
    // written in groups have their check characters right, as real ones do)
    ['fullwidth-check.log', () => `verify 身份证 11010119900307663\uff38 failed`, ['11010119900307663']],
    ['fullwidth-id.log', (n: number) => `verify 身份证 \uff11\uff11\uff10\uff11\uff10\uff11\uff11\uff19\uff19\uff10\uff10\uff13\uff10\uff17\uff16\uff16\uff13\uff38 or \uff11\uff11\uff10\uff11\uff10\uff11 \uff11\uff19\uff19\uff10\uff10\uff13\uff10\uff17 \uff16\uff16${['\uff11\uff16', '\uff12\uff14'][n - 1]} failed`, ['\uff11\uff19\uff19\uff10\uff10\uff13\uff10\uff17', '\uff16\uff16\uff13\uff38', '\uff16\uff16\uff11\uff16', '\uff16\uff16\uff12\uff14']],
    ['bracket-phone.log', (n: number) => `bind tel (138) 1234-567${n} 手机 \uff08139\uff098765 432${n}`, ['1234-567', '8765 432']],
    ['raw-quote-encoded.log', (n: number) => `body "password"%3A"hunter${n}RAW" "passwd"%3D"pw${n}EQ" 'token'%3A'tok${n}SQ'`, ['hunter1RAW', 'hunter2RAW', 'pw1EQ', 'pw2EQ', 'tok1SQ', 'tok2SQ']],
    ['other-quote-encoded.log', (n: number) => `body \\u0027token\\u0027\\u003d\\u0027gson${n} SQ\\u0027 "password"%3A\u201cfull${n} WQ\u201d %27pwd%27%3A%27enc${n}%20SQ%27`, ['gson1', 'gson2', 'full1', 'full2', 'WQ', 'enc1', 'enc2']],
    ['phones.log', (n: number) => `bind 手机号 \uff11\uff13\uff19\uff18\uff17\uff16\uff15\uff14\uff13\uff12${n} tel 139\u00a08765\u00a0432${n} (+86)1597654321${n} 0086 136 5432 109${n}`, ['\uff18\uff17\uff16\uff15', '8765', '97654', '5432', '0086']],
    // The third review of redaction gaps: each number or secret below was stored as it stands, or in part, on the code before
    ['bracket-intl.log', (n: number) => `bind tel +1 (415) 555-267${n} uk +44 (20) 7946 095${n}`, ['555-267', '7946 095']],
    ['spaced-bracket-phone.log', (n: number) => `bind tel ( 139 ) 8765 432${n} \uff08 136 \uff09 5432-109${n}`, ['8765 432', '5432-109']],
    ['spaced-encoded.log', (n: number) => `body "password" %3A "hunter${n}SPC" %27token%27:tok${n}RAWSQ`, ['hunter1SPC', 'hunter2SPC', 'tok1RAWSQ', 'tok2RAWSQ']],
    ['fullwidth-cc.log', (n: number) => `bind \uff08\uff0b\uff18\uff16\uff09\uff11\uff13\uff19\uff18\uff17\uff16\uff15\uff14\uff13\uff12${n}`, ['\uff0b\uff18\uff16', '\uff18\uff17\uff16\uff15']],
    // The fourth review of redaction gaps: each number below was stored as it stands on the code before
    ['french-phone.log', (n: number) => `bind tel +33 (0)1 23 45 67 8${n} mobile +33 6 12 34 56 7${n}`, ['23 45 67', '12 34 56']],
    ['nanp-phone.log', (n: number) => `call (415) 555-267${n} now, phone=(212)555 018${n}`, ['555-267', '555 018']],
    ['jwt-line-breaks.log', (n: number) => `{"msg":"got eyJhbGciOiJIUzI1NiJ9\\n.eyJzdWIiOiIxIn0\\n.c2lnQlJL${n}SIG\\n"}`, ['c2lnQlJL', 'SIG']],
    ['punycode-email.log', (n: number) => `user li${n}@xn--fsqu00a.xn--fiqs8s`, ['fiqs8s', 'fsqu00a']],
    ['wide-bracket-phone.log', (n: number) => `bind tel (  139  ) 8765 432${n} \uff08\u3000\u3000136\u3000\u3000\uff09 5432-109${n}`, ['8765 432', '5432-109']],
    // The fifth review of redaction gaps: each card, address, number or identifier below was stored as it stands on the code before
    ['cards.log', (n: number) => `pay card ${['4111 1111 1111 1111', '5555-5555-5555-4444'][n - 1]} unionpay ${['6222021234567890128', '3782 822463 10005'][n - 1]} declined`, ['1111 1111', '5555-5555', '62220212', '822463']],
    ['unicode-email.log', (n: number) => `user jos\u00e9${n}@ex\u00e4mple.de \u7528\u6237${n}@\u4f8b\u5b50.\u516c\u53f8 m\u00fcller${n}@gmx.de`, ['jos\u00e9', 'ex\u00e4mple', '\u4f8b\u5b50', 'ller', 'gmx']],
    ['grouped-phones.log', (n: number) => `tel +34 91 123 45 6${n} +31 6 1234 567${n} +91 98765 4321${n} (415)555267${n} 212-555-018${n}`, ['123 45', '1234 567', '98765', '555267', '555-018']],
    ['device-ids.log', (n: number) => `{"openid":"oUpF8uMuAJO${n}","deviceId":"R58M12ABC${n}","imei":"35693803564380${n}","oaid":"0b8a9c2e${n}"} android_id=9774d56d682e549${n}`, ['oUpF8uMuAJO', 'R58M12ABC', '3569380356438', '0b8a9c2e', '9774d56d']],
    ['bearer-colon.log', (n: number) => `hdr Bearer: opaqueCOLON${n}TOK next`, ['opaqueCOLON1TOK', 'opaqueCOLON2TOK']],
  ])('%s', (name, line, secrets) => {
    const { stored, stdout } = ingest(name, pair(line));
    for (const s of secrets) {
      expect(stored).not.toContain(s);
      expect(stdout).not.toContain(s);
    }
  });

  it('keeps what is no card, phone or identifier in the stored excerpt and the printed output (the fifth review of redaction gaps)', () => {
    // an Authing code, a time stamp, pids, an epoch in ms that passes the Luhn check, a version, a card's number whose
    // check fails, a key that names something else
    const kept = 'at 1700000000004 pid=4672 tid=4689 12-31 23:59:59.123 v1.2.3 code: 2004 card 4111 1111 1111 1112 deviceIdle=true';
    const { stored, stdout } = ingest('kept.log', pair(() => kept));
    expect(stored).toContain(`loginDone: errCode = 2005 errMessage = ${kept}`);
    expect(stored).toContain(`D/OkHttp: ${kept}`);
    expect(stdout).toContain(kept);
  });

  it('a phone number cut in two at the window of a long message (excerpt: 960 characters, context line: 1200)', () => {
    // a long token first (redacted to a few characters, so the window's end reaches the excerpt), then a phone whose
    // groups the window's cut at a blank splits: `139 8765` of `139 8765 4321` was stored
    const fill = (head: string, tail: string, to: number) => head + 'x'.repeat(to - head.length - tail.length) + tail;
    const event = fill('loginDone: errCode = 2005 errMessage = token=', ' call 139 8765', 958) + ' 4321 ' + 'y'.repeat(3000);
    const context = fill('refresh token=', ' user 138 7654', 1198) + ' 3210 ' + 'y'.repeat(3000);
    const { stored, stdout } = ingest('cut.log', [
      `03-17 16:13:46.100  4672  4672 D OkHttp  : ${context}`,
      `03-17 16:13:46.187  4672  4672 E SocialLoginButton: ${event}`,
    ]);
    expect(stored).toContain('errCode = 2005');
    for (const s of ['8765', '7654']) {
      expect(stored).not.toContain(s);
      expect(stdout).not.toContain(s);
    }
  });

  it('a long message of numbers across the window keeps its code and the numbers before the cut (excerpt and context line)', () => {
    // backed off to the start of the run of digits and blanks, the excerpt was `loginDone: errCode = …`: the code and
    // every number of the dump after it were gone, from the event and from its context line
    const dump = Array.from({ length: 400 }, (_, i) => String((i * 37) % 256)).join(' ');
    const { stored } = ingest('dump.log', [
      `03-17 16:13:46.100  4672  4672 D OkHttp  : status 401 ${dump}`,
      `03-17 16:13:46.187  4672  4672 E SocialLoginButton: loginDone: errCode = 2005 ${dump}`,
    ]);
    expect(stored).toContain('loginDone: errCode = 2005 0 37 74 111 148');
    expect(stored).toContain('D/OkHttp: status 401 0 37 74 111 148');
  });
});
