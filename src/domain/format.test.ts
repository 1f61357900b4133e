import { describe, expect, it } from 'vitest';
import { qualified, wanDigits, wanInput } from './format.ts';

describe('figures with their qualifier and unit', () => {
  it('writes them as Chinese reports do', () => {
    expect(qualified('12', 'about', '万元')).toBe('约12万元');
    expect(qualified('70', 'over', '万元')).toBe('70余万元');
    expect(qualified('40', 'over', '家')).toBe('40余家');
    expect(qualified('1.2', 'range', '万元', { max: '1.5' })).toBe('1.2–1.5万元');
    expect(qualified('1.2', 'range', '万元', { max: '1.5', rangeSep: '-' })).toBe('1.2-1.5万元');
    expect(qualified('89.45', 'exact', '%')).toBe('89.45%');
    // A range without its upper end is printed as the figure it has.
    expect(qualified('3', 'range', '个')).toBe('3个');
  });

  it('and in English', () => {
    expect(qualified('12', 'about', 'people', { locale: 'en' })).toBe('about 12 people');
    expect(qualified('40', 'over', 'enterprises', { locale: 'en' })).toBe('over 40 enterprises');
    expect(qualified('89.45', 'exact', '%', { locale: 'en' })).toBe('89.45%');
  });

  it('converts 万元 exactly both ways', () => {
    expect(wanDigits(4_562_143_000)).toBe('4562.143');
    expect(wanDigits(12_345_678_900_000, true)).toBe('12,345,678.9');
    expect(wanInput('4562.143')).toBe(4_562_143_000);
    expect(wanInput('1,234.5')).toBe(1_234_500_000);
    expect(wanInput('０.５')).toBe(500_000);
    for (const bad of ['', 'abc', '1.2345678', '-3', '1,23.4']) expect(wanInput(bad), bad).toBeNull();
  });
});
