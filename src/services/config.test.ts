import { describe, expect, it } from 'vitest';
import { categoriesFor, configYear } from './config.ts';
import { validateRecord } from './ledgers.ts';

describe('category lists per assessment year and province', () => {
  it('carries a year forward until a newer one is configured', () => {
    expect(configYear(2021)).toBe(2021);
    expect(configYear(2022)).toBe(2021);
    expect(configYear(2024)).toBe(2021);
    expect(() => configYear(2020)).toThrow(/no assessment configuration for 2020/);
    expect(() => configYear(1999)).toThrow(/starts in 2021/);
  });

  it('lets a province replace a list and keeps the rest of the year', () => {
    const gansu = categoriesFor(2022, '623023');
    const guizhou = categoriesFor(2022, '520102');
    expect(gansu.labour_destination!.map((c) => c.value)).toEqual(['partner_region', 'in_province', 'out_of_province', 'public_welfare_post', 'near_home']);
    expect(guizhou.labour_destination!.map((c) => c.zh)).toEqual(['公益性岗位', '省内', '赴东部']);
    expect(guizhou.fund_category).toEqual(gansu.fund_category);
  });

  it('validates a record against its own province lists', () => {
    const rec = { person_name: '张三', resident_id: '11010519491231002X', destination: 'to_east', start_date: '2022-03-01' };
    expect(validateRecord('labour_placement', 2022, rec, '520102').ok).toBe(true);
    const inGansu = validateRecord('labour_placement', 2022, rec, '623023');
    expect(inGansu.ok).toBe(false);
    if (!inGansu.ok) expect(inGansu.problems[0]).toMatchObject({ field: 'destination' });
  });
});
