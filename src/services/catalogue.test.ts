import { describe, expect, it } from 'vitest';
import { CatalogueInvalid, catalogueFor, parseCatalogue } from './catalogue.ts';

const base = `units:
  money: { zh: 万元, en: '10k CNY' }
  items: { zh: 个, en: '' }
elements:
  funds.disbursed: { label: { zh: 已拨付, en: Disbursed }, unit: money }
indicators:
`;

function errorsOf(text: string) {
  try {
    parseCatalogue(text, 'cat.yaml', 2022);
  } catch (e) {
    if (e instanceof CatalogueInvalid) return e.errors;
    throw e;
  }
  return [];
}

describe('indicator catalogue', () => {
  it('parses the 2022 catalogue with every formula checked', () => {
    const c = catalogueFor(2022);
    expect(c.indicators.length).toBeGreaterThan(50);
    expect(c.byId.get('funds.disbursement_rate')?.round).toEqual({ decimals: 2, mode: 'half_up' });
    expect(c.rules.map((r) => r.id)).toContain('funds.categories_sum');
  });

  it('points a formula syntax error at its line and column in the file', () => {
    const errs = errorsOf(`${base}  - id: a
    label: { zh: 甲, en: A }
    unit: money
    formula: sum(fund_allocation.amount where (category = 'x')
`);
    expect(errs).toHaveLength(1);
    expect(errs[0]!.line).toBe(10);
    expect(errs[0]!.column).toBeGreaterThan(14);
    expect(errs[0]!.message).toMatch(/^a: expected .*'\)' but found end of input/);
  });

  it('reports unknown ledgers, fields and elements at the offending name', () => {
    const errs = errorsOf(`${base}  - id: a
    label: { zh: 甲, en: A }
    unit: money
    formula: sum(fund_allocaton.amount) + value(funds.disbursd)
`);
    expect(errs.map((e) => [e.line, e.column])).toEqual([[10, 18], [10, 49]]);
    expect(errs.map((e) => e.message).join('\n')).toMatch(/fund_allocaton[\s\S]*funds\.disbursd/);
  });

  it('refuses duplicate ids, unknown units and rounding modes', () => {
    const errs = errorsOf(`${base}  - { id: a, label: { zh: 甲, en: A }, unit: money, formula: '1' }
  - { id: a, label: { zh: 甲, en: A }, unit: acres, formula: '1', round: { decimals: 1, mode: up } }
`);
    expect(errs.map((e) => e.line)).toEqual([8, 8, 8]);
    expect(errs.map((e) => e.message).join('\n')).toMatch(/duplicate[\s\S]*unit 'acres'[\s\S]*rounding mode 'up'/);
  });

  it('reports YAML syntax errors with their position', () => {
    const errs = errorsOf('units: [unclosed\n');
    expect(errs[0]!.line).toBeGreaterThanOrEqual(1);
    expect(errs[0]!.messageZh).toMatch(/YAML/);
  });

  it('refuses indicators that refer to each other in a loop, even through earlier years', () => {
    const errs = errorsOf(`${base}  - { id: a, label: { zh: 甲, en: A }, unit: items, formula: 'ref(b) + 1' }
  - { id: b, label: { zh: 乙, en: B }, unit: items, formula: 'ref(a, year - 1)' }
  - { id: c, label: { zh: 丙, en: C }, unit: items, formula: 'ref(a)' }
`);
    expect(errs.map((e) => e.message)).toEqual(['indicator cycle: a → b → a']);
    expect(errs[0]!.line).toBe(7);
  });
});
