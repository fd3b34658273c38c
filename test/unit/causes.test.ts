/** registry/causes.json: every entry's sample gives its cause, read as the event's own message and as a context line. */
import { describe, expect, it } from 'vitest';
import { CauseMatcher, loadCauses } from '../../src/extract/causes.js';
import { contextLine } from '../../src/pipeline/context.js';
import { RecordParser } from '../../src/parse/records.js';

const CAUSES = loadCauses();
const matcher = new CauseMatcher(CAUSES);
const parse = (line: string) => {
  const r = new RecordParser({ year: 2026, tz: 'UTC', format: 'threadtime' }).push(line, 1);
  if (!('record' in r)) throw new Error(`sample does not parse as threadtime: ${line}`);
  return r.record;
};

describe('causes.json', () => {
  it('has the causes the issue names, each with a source and a sample', () => {
    expect(CAUSES.map((c) => c.name)).toEqual(['dns', 'timeout', 'tls', 'refused', 'main-thread', 'cleartext', 'clock-skew', 'http-{1}', 'http-{1}']);
    for (const c of CAUSES) {
      expect(c.source.length, c.name).toBeGreaterThan(40);
      expect(c.patterns.length, c.name).toBeGreaterThan(0);
    }
  });

  for (const c of CAUSES) {
    it(`names the sample of ${c.name} ${c.sampleCause ?? c.name}, in the event's message${c.scope === 'message' ? ' only' : ' and in its context'}`, () => {
      const rec = parse(c.sample);
      const want = c.sampleCause ?? c.name;
      expect(matcher.causeOf([], rec.message)).toBe(want);
      expect(matcher.causeOf([contextLine(rec)], 'loginDone: errCode = 10001 errMessage = Network error')).toBe(c.scope === 'message' ? null : want);
    });
  }

  it('takes the nearest context line first, then the message, and names nothing in a line without a signature', () => {
    const dns = 'W/System.err: java.net.UnknownHostException: Unable to resolve host "core.authing.cn": No address associated with hostname';
    const tls = 'W/System.err: javax.net.ssl.SSLHandshakeException: Connection closed by peer';
    expect(matcher.causeOf([dns, tls], 'x')).toBe('tls');
    expect(matcher.causeOf([tls, dns], 'x')).toBe('dns');
    expect(matcher.causeOf(['I/ActivityManager: Start proc 4672'], 'java.net.ConnectException: Failed to connect to core.authing.cn/1.2.3.4:443')).toBe('refused');
    expect(matcher.causeOf(['I/ActivityManager: Start proc 4672'], 'loginDone: errCode = 10001 errMessage = Network error')).toBeNull();
    // a 2xx of the Authing request is no cause; a status of another host is not Authing's
    expect(matcher.inText('<-- 200 https://core.authing.cn/api/v3/signin (465ms)')).toBeNull();
    expect(matcher.inText('<-- 503 https://api.example.com/v1/user (12ms)')).toBeNull();
  });
});
