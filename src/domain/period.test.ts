import { describe, expect, it } from 'vitest';
import { parsePeriod, periodEnd, periodKey, periodLabel, periodShareOfYear, type Period } from './period.ts';

const ok = (text: string | undefined, opts: { to?: string; year?: number } = {}): Period => {
  const r = parsePeriod(text, opts);
  if (!r.ok) throw new Error(r.error.en);
  return r.period;
};

describe('periods of an assessment year', () => {
  it('reads the whole year, quarters, months and a day', () => {
    expect(ok(undefined)).toEqual({ kind: 'year' });
    expect(ok('')).toEqual({ kind: 'year' });
    expect(ok('year')).toEqual({ kind: 'year' });
    expect(ok('Q2')).toEqual({ kind: 'quarter', n: 2 });
    expect(ok('q4')).toEqual({ kind: 'quarter', n: 4 });
    expect(ok('M08')).toEqual({ kind: 'month', n: 8 });
    expect(ok('M1')).toEqual({ kind: 'month', n: 1 });
    expect(ok(undefined, { to: '2022-08-15', year: 2022 })).toEqual({ kind: 'day', day: '08-15' });
    expect(ok('year', { to: '2022-08-15' })).toEqual({ kind: 'day', day: '08-15' });
  });

  it('refuses what is not a period, saying why in Chinese and English', () => {
    for (const [text, opts, en] of [
      ['Q5', {}, 'unknown period'], ['M13', {}, 'a month is M01–M12'], ['M00', {}, 'a month is M01–M12'], ['H1', {}, 'unknown period'],
      [undefined, { to: '2022-8-15' }, 'YYYY-MM-DD'], [undefined, { to: '2022-02-30' }, 'no such day'], [undefined, { to: '2021-02-29' }, 'no such day'],
      [undefined, { to: '2021-06-30', year: 2022 }, 'not in 2022'], ['Q2', { to: '2022-06-30' }, 'either period or to'],
    ] as const) {
      const r = parsePeriod(text, opts);
      expect(r.ok).toBe(false);
      if (!r.ok) { expect(r.error.en).toContain(en); expect(r.error.zh).toMatch(/[\u4e00-\u9fff]/); }
    }
  });

  it('ends each period on its last day, in any year', () => {
    expect(periodEnd(ok('year'), 2022)).toBeNull();
    expect(['Q1', 'Q2', 'Q3', 'Q4'].map((q) => periodEnd(ok(q), 2022))).toEqual(['2022-03-31', '2022-06-30', '2022-09-30', '2022-12-31']);
    expect(periodEnd(ok('M02'), 2024)).toBe('2024-02-29');
    expect(periodEnd(ok('M02'), 2023)).toBe('2023-02-28');
    // The same span of another year: 29 February becomes the 28th where there is none.
    const leapDay = ok(undefined, { to: '2024-02-29' });
    expect(periodEnd(leapDay, 2023)).toBe('2023-02-28');
    expect(periodEnd(ok(undefined, { to: '2022-08-15' }), 2021)).toBe('2021-08-15');
  });

  it('names periods in Chinese and English, and keys them', () => {
    expect(periodLabel(ok('year'))).toEqual({ zh: '全年', en: 'the whole year' });
    expect(periodLabel(ok('Q2'))).toEqual({ zh: '第二季度末', en: 'to the end of Q2' });
    expect(periodLabel(ok('M06'))).toEqual({ zh: '1—6月', en: 'January–June' });
    expect(periodLabel(ok('M01'))).toEqual({ zh: '1月', en: 'January' });
    expect(periodLabel(ok(undefined, { to: '2022-08-15' }))).toEqual({ zh: '截至8月15日', en: 'to 15 August' });
    expect(['year', 'Q3', 'M8'].map((t) => periodKey(ok(t)))).toEqual(['year', 'Q3', 'M08']);
    expect(periodKey(ok(undefined, { to: '2022-08-15' }))).toBe('D08-15');
  });

  it('measures the share of the year a period covers', () => {
    expect(periodShareOfYear(ok('Q2'), 2022)).toEqual({ days: 181, of: 365 });
    expect(periodShareOfYear(ok('M12'), 2024)).toEqual({ days: 366, of: 366 });
    expect(periodShareOfYear(ok('year'), 2022)).toEqual({ days: 365, of: 365 });
  });
});
