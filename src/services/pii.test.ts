import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacHex, piiKeys, protectResidentId } from './pii.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

describe('personal ID protection', () => {
  it('hashes exactly like HMAC-SHA256 under each key of the chain in turn (one key: plain HMAC-SHA256)', () => {
    const chained = (m: string) => piiKeys().reduce((h, k) => createHmac('sha256', k).update(h).digest('hex'), m);
    expect(piiKeys()).toHaveLength(1);
    for (const m of ['11010519491231002X', '', 'x'.repeat(200)]) {
      expect(hmacHex(m)).toBe(createHmac('sha256', piiKeys()[0]!).update(m).digest('hex'));
      expect(hmacHex(m)).toBe(chained(m));
    }
  });
  it('keeps only the hash and a masked form', () => {
    const p = protectResidentId(' 11010519491231002x ');
    expect(p.masked).toBe('1101**********002X');
    expect(JSON.stringify(p)).not.toContain('11010519491231002X');
  });
});
