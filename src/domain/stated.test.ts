import { describe, expect, it } from 'vitest';
import { Rational } from './rational.ts';
import { agreement } from './stated.ts';

const r = (s: string) => Rational.parse(s);

describe('a stated figure against the figure its parts give', () => {
  it('agrees at the precision it was written to', () => {
    expect(agreement(r('5327'), r('175800').div(r('33')))).toBe('holds');
    expect(agreement(r('70'), r('3000').div(r('43')))).toBe('holds');
    expect(agreement(r('89.45'), r('4562.143').div(r('5100')).mul(r('100')))).toBe('holds');
  });
  it('fails where a reviewer would flag it', () => {
    expect(agreement(r('73.5'), r('25').div(r('32')).mul(r('100')))).toBe('fails');
    expect(agreement(r('20'), r('18'))).toBe('fails');
    expect(agreement(r('5107.12'), r('5243.3'))).toBe('fails');
  });
  it('recognises truncation', () => {
    expect(agreement(r('81.47'), r('81.476'))).toBe('holds_truncated');
  });
  it('reads qualifiers', () => {
    expect(agreement(r('40'), r('43'), 'over')).toBe('holds');
    expect(agreement(r('40'), r('39'), 'over')).toBe('fails');
    expect(agreement(r('12'), r('12.5'), 'about')).toBe('holds');
    expect(agreement(r('1'), r('3'), 'range', r('2'))).toBe('fails');
  });
});
