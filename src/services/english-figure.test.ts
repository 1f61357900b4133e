import { describe, expect, it } from 'vitest';
import { Rational } from '../domain/rational.ts';
import { catalogueFor } from './catalogue.ts';
import { englishFigure } from './indicators.ts';

describe('englishFigure', () => {
  const cat = catalogueFor(2022);
  const round = { decimals: 2, mode: 'half_up' as const };
  it('writes money in millions of CNY, exact and shortest for whole 分', () => {
    expect(englishFigure(Rational.of(4_562_143_000), 'money', round, cat)).toBe('CNY 45.62143 million');
    expect(englishFigure(Rational.of(1), 'money', round, cat)).toBe('CNY 0.00000001 million');
    expect(englishFigure(Rational.of(100_000_000_00), 'money', round, cat)).toBe('CNY 100 million');
    expect(englishFigure(Rational.of(-250_000_000), 'money', round, cat)).toBe('CNY -2.5 million');
  });
  it('keeps a qualifier and a range', () => {
    expect(englishFigure(Rational.of(300_000_000), 'money', round, cat, 'about')).toBe('about CNY 3 million');
    expect(englishFigure(Rational.of(100_000_000), 'money', round, cat, 'range', Rational.of(200_000_000))).toBe('CNY 1–2 million');
  });
  it('rounds anything finer than 1 分 to six places of a million', () => {
    expect(englishFigure(Rational.ratio(1n, 3n).mul(Rational.of(300_000_001)), 'money', round, cat)).toBe('CNY 1 million');
  });
});
