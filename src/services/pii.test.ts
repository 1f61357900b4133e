import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacHex, piiSecret, protectResidentId } from './pii.ts';

process.env.XIEZUO_SECRET ??= 'test-secret';

describe('personal ID protection', () => {
  it('hashes exactly like HMAC-SHA256 with the deployment key', () => {
    for (const m of ['11010519491231002X', '', 'x'.repeat(200)])
      expect(hmacHex(m)).toBe(createHmac('sha256', piiSecret()).update(m).digest('hex'));
  });
  it('keeps only the hash and a masked form', () => {
    const p = protectResidentId(' 11010519491231002x ');
    expect(p.masked).toBe('1101**********002X');
    expect(JSON.stringify(p)).not.toContain('11010519491231002X');
  });
});
