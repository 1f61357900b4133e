import { describe, expect, it } from 'vitest';
import { parseStated } from './figures.ts';

describe('parseStated', () => {
  it('reads exact money in 万元 and 元 as fen', () => {
    expect(parseStated('448.2582万元', 'money')).toEqual({ value: '448258200', qual: 'exact', max: null });
    expect(parseStated('5100万元', 'money').value).toBe('5100000000');
    expect(parseStated('1200元', 'money').value).toBe('120000');
  });
  it('keeps the qualifiers the source states', () => {
    expect(parseStated('约12万元', 'money')).toEqual({ value: '12000000', qual: 'about', max: null });
    expect(parseStated('70余万元', 'money')).toEqual({ value: '70000000', qual: 'over', max: null });
    expect(parseStated('40余', 'number')).toEqual({ value: '40', qual: 'over', max: null });
    expect(parseStated('近2600', 'number')).toEqual({ value: '2600', qual: 'about', max: null });
  });
  it('reads ranges, scaling 万 in counts exactly', () => {
    expect(parseStated('1.2万-1.5万', 'number')).toEqual({ value: '12000', qual: 'range', max: '15000' });
    expect(parseStated('1-2', 'number')).toEqual({ value: '1', qual: 'range', max: '2' });
    expect(parseStated('3万元-5万元', 'money')).toEqual({ value: '3000000', qual: 'range', max: '5000000' });
  });
  it('refuses money without a unit and text that is not a number', () => {
    expect(() => parseStated('12', 'money')).toThrow(/万元或元/);
    expect(() => parseStated(12, 'money')).toThrow(/unit/);
    expect(() => parseStated('十二', 'number')).toThrow(/not a number/);
  });
});
