import { describe, expect, it } from 'vitest';
import { parseStated } from './figures.ts';

describe('parseStated', () => {
  it('reads exact money in 万元 and 元 as fen', () => {
    expect(parseStated('448.2582万元', 'money')).toEqual({ value: '448258200', qual: 'exact', max: null, scale: '万' });
    expect(parseStated('5100万元', 'money').value).toBe('5100000000');
    expect(parseStated('1200元', 'money').value).toBe('120000');
  });
  it('keeps the qualifiers the source states', () => {
    expect(parseStated('约12万元', 'money')).toEqual({ value: '12000000', qual: 'about', max: null, scale: '万' });
    expect(parseStated('70余万元', 'money')).toEqual({ value: '70000000', qual: 'over', max: null, scale: '万' });
    expect(parseStated('40余', 'number')).toEqual({ value: '40', qual: 'over', max: null });
    expect(parseStated('近2600', 'number')).toEqual({ value: '2600', qual: 'about', max: null });
  });
  it('reads ranges, scaling 万 in counts exactly', () => {
    expect(parseStated('1.2万-1.5万', 'number')).toEqual({ value: '12000', qual: 'range', max: '15000', scale: '万' });
    expect(parseStated('1-2', 'number')).toEqual({ value: '1', qual: 'range', max: '2' });
    expect(parseStated('3万元-5万元', 'money')).toEqual({ value: '3000000', qual: 'range', max: '5000000', scale: '万' });
  });
  it('refuses money without a unit and text that is not a number', () => {
    expect(() => parseStated('12', 'money')).toThrow(/元、万元或亿元/);
    expect(() => parseStated(12, 'money')).toThrow(/unit/);
    expect(() => parseStated('十二', 'number')).toThrow(/not a number/);
  });
});

describe('parseStated: scales and forms beyond 万元', () => {
  it('reads 亿元 exactly and remembers the scale', () => {
    expect(parseStated('2.8亿元', 'money')).toEqual({ value: '28000000000', qual: 'exact', max: null, scale: '亿' });
    expect(parseStated('17.58亿元', 'money').value).toBe('175800000000');
    expect(parseStated('3.18亿', 'money').value).toBe('31800000000');
  });
  it('reads head counts in 万 with their unit word, and full-width digits', () => {
    expect(parseStated('75.31万人', 'number')).toEqual({ value: '753100', qual: 'exact', max: null, scale: '万' });
    expect(parseStated('４０余家', 'number')).toEqual({ value: '40', qual: 'over', max: null });
    expect(parseStated('2411人次', 'number').value).toBe('2411');
  });
  it('reads 超过 as more than, and keeps 万元 as the scale of 万元 figures', () => {
    expect(parseStated('超过1000万元', 'money')).toEqual({ value: '1000000000', qual: 'over', max: null, scale: '万' });
  });
});
