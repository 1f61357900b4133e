import { describe, expect, it } from 'vitest';
import { check, type Expr, parse, references, type Schema } from './index.ts';

const schema: Schema = {
  ledgers: {
    deal: { fields: { platform: { type: 'text' }, amount: { type: 'money' }, signed_on: { type: 'date' }, kind: { type: 'enum' } } },
    project: {
      fields: {
        name: { type: 'text' },
        coop_funds: { type: 'money' },
        jobs: { type: 'int' },
        demo_village: { type: 'bool' },
        status: { type: 'enum' },
        township: { type: 'code' },
      },
    },
  },
  elements: new Set(['funds.disbursed', 'labour.placed']),
  indicators: new Set(['funds.allocated', 'labour.to_partner']),
};

function ast(src: string, base?: { line: number; column: number }): Expr {
  const r = parse(src, base);
  if (!r.ok) throw new Error(r.error.message);
  return r.ast;
}

const errors = (src: string, s: Schema = schema) => check(ast(src), s).map((e) => `${e.line}:${e.column} ${e.message}`);

describe('check', () => {
  it('accepts formulas that only refer to what exists', () => {
    for (const src of [
      "sum(deal.amount where platform = '津陇共振兴' and signed_on >= '2022-01-01') by kind",
      "count(project where coop_funds is not null and status in ('started', 'completed') and demo_village = true)",
      'sum(project.jobs where jobs > 10 and coop_funds >= 100000) / count(project) * 100',
      "value(labour.placed, year - 1, dim = 'x') + values(funds.disbursed) - ref(funds.allocated, 2021)",
      "coalesce(ref(labour.to_partner), 0) + count(project where not (township = '623023101' or demo_village != false))",
    ])
      expect(errors(src)).toEqual([]);
  });

  it('reports unknown ledgers, fields, elements and indicators at their tokens, with suggestions', () => {
    expect(errors('count(deals)')).toEqual(["1:7 unknown ledger 'deals' (did you mean 'deal'?)"]);
    expect(errors('count(nothing_like_it)')).toEqual(["1:7 unknown ledger 'nothing_like_it'"]);
    expect(errors('sum(deal.amout)')).toEqual(["1:10 ledger 'deal' has no field 'amout' (did you mean 'amount'?)"]);
    expect(errors("count(deal where platfrom = 'x')")).toEqual(["1:18 ledger 'deal' has no field 'platfrom' (did you mean 'platform'?)"]);
    expect(errors('count(deal) by region')).toEqual(["1:16 ledger 'deal' has no field 'region'"]);
    expect(errors('value(funds.disbursd)')).toEqual(["1:7 unknown element 'funds.disbursd' (did you mean 'funds.disbursed'?)"]);
    expect(errors('values(nope) by dim')).toEqual(["1:8 unknown element 'nope'"]);
    expect(errors('ref(funds.allocate, year - 1)')).toEqual(["1:5 unknown indicator 'funds.allocate' (did you mean 'funds.allocated'?)"]);
  });

  it('refuses to sum fields that are not int or money', () => {
    expect(errors('sum(deal.platform)')).toEqual(["1:10 cannot sum 'deal.platform': it is text; only int and money fields can be summed"]);
    expect(errors('sum(project.demo_village)')).toEqual(["1:13 cannot sum 'project.demo_village': it is bool; only int and money fields can be summed"]);
    expect(check(ast('sum(deal.signed_on)'), schema)[0]?.messageZh).toBe('不能对“deal.signed_on”求和：其类型为 date，只有整数和金额字段可以求和');
  });

  it('checks literals against field types', () => {
    expect(errors("count(project where demo_village = 'yes')")).toEqual(["1:36 field 'project.demo_village' is bool: compare it with true or false"]);
    expect(errors('count(project where demo_village > false)')).toEqual(["1:21 field 'project.demo_village' is bool: use '=' or '!=', not '>'"]);
    expect(errors("count(project where jobs = '5')")).toEqual(["1:28 field 'project.jobs' is int: compare it with a number"]);
    expect(errors('count(project where coop_funds > 0.5)')).toEqual(["1:34 field 'project.coop_funds' is money: compare it with a whole number of fen"]);
    expect(errors('count(project where township = 623023101)')).toEqual(["1:32 field 'project.township' is code: compare it with a quoted code"]);
    expect(errors("count(project where status in ('a', 1, true))")).toEqual([
      "1:37 field 'project.status' is enum: compare it with a quoted category value",
      "1:40 field 'project.status' is enum: compare it with a quoted category value",
    ]);
    expect(errors('count(deal where signed_on is null)')).toEqual([]);
  });

  it('collects every problem, not only the first, in source order', () => {
    const src = 'sum(dea.amount) + sum(deal.platform where x = 1) / value(e) - ref(i)';
    expect(errors(src)).toEqual([
      "1:5 unknown ledger 'dea' (did you mean 'deal'?)",
      "1:28 cannot sum 'deal.platform': it is text; only int and money fields can be summed",
      "1:43 ledger 'deal' has no field 'x'",
      "1:58 unknown element 'e'",
      "1:67 unknown indicator 'i'",
    ]);
  });

  it('reports positions in the enclosing file when parsed with a base offset', () => {
    const e = check(ast('count(deal)\n  + count(nope)', { line: 40, column: 14 }), schema);
    expect(e).toEqual([{ line: 41, column: 11, message: "unknown ledger 'nope'", messageZh: '未知台账“nope”' }]);
  });

  it('accepts elements given as a record, and ignores inherited keys', () => {
    const s: Schema = { ...schema, elements: { 'a.b': { unit: 'people' } } };
    expect(errors('value(a.b)', s)).toEqual([]);
    expect(errors('value(constructor)', s)).toEqual(["1:7 unknown element 'constructor'"]);
    expect(errors('count(constructor)')).toEqual(["1:7 unknown ledger 'constructor'"]);
    expect(errors('sum(deal.toString)')).toEqual(["1:10 ledger 'deal' has no field 'toString'"]);
  });
});

describe('references', () => {
  it('lists what a formula reads, once each', () => {
    const refs = references(ast('count(deal) + sum(deal.amount) + value(a.b) + values(a.b) + ref(x) + ref(x) + ref(x, year - 1) + min(count(project), 1)'));
    expect(refs).toEqual({
      ledgers: ['deal', 'project'],
      elements: ['a.b'],
      indicators: [
        { id: 'x', year: { kind: 'relative', offset: 0 } },
        { id: 'x', year: { kind: 'relative', offset: -1 } },
      ],
    });
  });
});
