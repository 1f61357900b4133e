import { describe, expect, it } from 'vitest';
import { dateOfDay, dayOfYear, daysInYear, firstDay, isIsoDate, linearCurve, seasonalCurve } from './pace.ts';
import { Rational } from './rational.ts';

const R = (n: number) => Rational.of(n);

describe('pace calendar and curves', () => {
  it('counts days within the year and past its end', () => {
    expect([dayOfYear('2022-01-01', 2022), dayOfYear('2022-06-30', 2022), dayOfYear('2024-12-31', 2024)]).toEqual([1, 181, 366]);
    expect([dateOfDay(2022, 365), dateOfDay(2022, 366), dateOfDay(2022, 810)]).toEqual(['2022-12-31', '2023-01-01', '2024-03-20']);
    expect([daysInYear(2022), daysInYear(2024), daysInYear(2100)]).toEqual([365, 366, 365]);
    expect([isIsoDate('2022-02-28'), isIsoDate('2022-02-29'), isIsoDate('2024-02-29'), isIsoDate('22-1-1')]).toEqual([true, false, true, false]);
  });

  it('grows linearly from the figure to date', () => {
    const c = linearCurve(90, 1095);
    expect(c.factor(90).toString()).toBe('1');
    expect(c.factor(365).toString()).toBe('73/18');
  });

  it('grows as earlier years did, spreading each month over its days, and refuses a share of zero', () => {
    const months = [0, 50, 0, 0, 0, 50, 0, 0, 0, 0, 100, 0].map(R);
    const c = seasonalCurve(months, 2022, 90)!; // a quarter of the year by 31 March
    expect(c.factor(365).toString()).toBe('4');
    expect(c.factor(181).toString()).toBe('2');
    expect(c.factor(dayOfYear('2022-11-15', 2022)).toString()).toBe('3'); // half of November's 100 on top of 100
    expect(seasonalCurve(months, 2022, 20)).toBeNull(); // nothing by 20 January in earlier years
    expect(seasonalCurve(Array.from({ length: 12 }, () => R(0)), 2022, 90)).toBeNull();
  });

  it('finds the first day a growing figure meets a condition', () => {
    expect(firstDay(1, 100, (d) => d * 3 >= 100)).toBe(34);
    expect(firstDay(1, 10, (d) => d > 10)).toBeNull();
  });
});
