import { describe, expect, it } from 'vitest';
import { Rational } from '../rational.ts';
import { isThenable, run as runSteps } from '../steps.ts';
import { type AggregateQuery, type DataSource, evaluate, evaluation, parse, type ReportedQuery, type Value } from './index.ts';

const R = (s: string) => Rational.parse(s);
type Entries = Array<{ key: string; value: Rational }>;

/**
 * A data source over fixed tables. Aggregates are keyed by `fn ledger[.field] year [by]` (the
 * where clause is recorded, not applied); reported values by `element year dim`.
 */
function fake(data: {
  aggregates?: Record<string, Rational | Entries>;
  reported?: Record<string, string>;
  indicators?: Record<string, Value>;
}) {
  const calls: unknown[] = [];
  const source: DataSource = {
    async aggregate(q: AggregateQuery) {
      calls.push(q);
      const key = `${q.fn} ${q.ledger}${q.field ? `.${q.field}` : ''} ${q.year}${q.by ? ` by ${q.by}` : ''}`;
      const v = data.aggregates?.[key];
      if (v === undefined) return q.by ? [] : Rational.ZERO;
      return v;
    },
    async reported(q: ReportedQuery) {
      calls.push(q);
      const rows = Object.entries(data.reported ?? {})
        .map(([k, v]) => {
          const [element, year, dim = ''] = k.split(' ');
          return { element, year: Number(year), dim, value: R(v) };
        })
        .filter((r) => r.element === q.element && r.year === q.year);
      if (q.byDim) return rows.map((r) => ({ key: r.dim, value: r.value }));
      const picked = q.allDims ? rows : rows.filter((r) => r.dim === (q.dim ?? ''));
      return picked.length ? picked.reduce((a, r) => a.add(r.value), Rational.ZERO) : null;
    },
    async indicator(id: string, year: number) {
      calls.push({ id, year });
      return data.indicators?.[`${id} ${year}`] ?? { kind: 'scalar', value: null };
    },
  };
  return { source, calls };
}

async function run(src: string, source: DataSource, year = 2022) {
  const r = parse(src);
  if (!r.ok) throw new Error(r.error.message);
  return evaluate(r.ast, { year, source });
}

const text = (v: Value) =>
  v.kind === 'scalar' ? (v.value?.toString() ?? 'null') : v.entries.map((e) => `${e.key}=${e.value?.toString() ?? 'null'}`).join(' ');

describe('evaluate', () => {
  it('does exact arithmetic with precedence', async () => {
    const { source } = fake({});
    expect(text((await run('0.1 + 0.2', source)).value)).toBe('0.3');
    expect(text((await run('1 + 2 * 3 - 4 / 8', source)).value)).toBe('6.5');
    expect(text((await run('-(1 - 3) * -2', source)).value)).toBe('-4');
    expect(text((await run('1 / 3', source)).value)).toBe('1/3');
    expect(text((await run('year', source, 2023)).value)).toBe('2023');
  });

  it('computes a rate from aggregates and records each fetch', async () => {
    const { source } = fake({ aggregates: { 'sum fund_disbursement.amount 2022': R('3774'), 'sum fund_allocation.amount 2022': R('5409') } });
    const { value, trace } = await run('sum(fund_disbursement.amount) / sum(fund_allocation.amount) * 100', source);
    expect(value.kind === 'scalar' && value.value?.toDecimalString(2)).toBe('69.77');
    expect(trace).toEqual([
      { kind: 'aggregate', query: { fn: 'sum', ledger: 'fund_disbursement', field: 'amount', year: 2022 }, value: R('3774') },
      { kind: 'aggregate', query: { fn: 'sum', ledger: 'fund_allocation', field: 'amount', year: 2022 }, value: R('5409') },
    ]);
  });

  it('passes the parsed condition and grouping to the source', async () => {
    const { source, calls } = fake({ aggregates: { 'count project 2022 by status': [{ key: 'started', value: R('3') }] } });
    const { value } = await run("count(project where coop_funds is not null and platform = '津陇共振兴') by status", source);
    expect(text(value)).toBe('started=3');
    expect(calls[0]).toMatchObject({
      fn: 'count',
      ledger: 'project',
      by: 'status',
      year: 2022,
      where: {
        kind: 'and',
        args: [
          { kind: 'null', field: 'coop_funds', negated: true },
          { kind: 'cmp', field: 'platform', op: '=', value: { kind: 'string', value: '津陇共振兴' } },
        ],
      },
    });
    expect(calls[0]).not.toHaveProperty('field');
  });

  it('reads reported values for relative and absolute years and dims', async () => {
    const { source, calls } = fake({
      reported: {
        'edu.rate 2022': '37.74',
        'edu.rate 2021': '30.1',
        'edu.rate 2020': '25',
        'labour.placed 2022 in_province': '120',
        'labour.placed 2022 out_of_province': '300',
        'labour.placed 2021 in_province': '100',
      },
    });
    expect(text((await run('value(edu.rate) - value(edu.rate, year - 1)', source)).value)).toBe('7.64');
    expect(text((await run('value(edu.rate) - value(edu.rate, year - 2)', source)).value)).toBe('12.74');
    expect(text((await run('value(edu.rate, 2020)', source, 2030)).value)).toBe('25');
    expect(text((await run('value(edu.rate, year + 1)', source, 2021)).value)).toBe('37.74');
    expect(text((await run("value(labour.placed, dim = 'in_province') + value(labour.placed, dim = 'out_of_province')", source)).value)).toBe('420');
    expect(text((await run("value(labour.placed, year - 1, dim = 'in_province')", source)).value)).toBe('100');
    calls.length = 0;
    const { value, trace } = await run('values(labour.placed)', source);
    expect(text(value)).toBe('420');
    expect(calls).toEqual([{ element: 'labour.placed', year: 2022, allDims: true }]);
    expect(trace).toEqual([{ kind: 'reported', query: { element: 'labour.placed', year: 2022, allDims: true }, value: R('420') }]);
    const by = await run('values(labour.placed, year - 1) by dim', source);
    expect(text(by.value)).toBe('in_province=100');
    expect(by.trace[0]).toMatchObject({ kind: 'reported', query: { element: 'labour.placed', year: 2021, byDim: true } });
  });

  it('propagates missing data as null, except through coalesce', async () => {
    const { source } = fake({ reported: { 'a.b 2022': '5' } });
    expect(text((await run('value(a.b) + value(missing.x)', source)).value)).toBe('null');
    expect(text((await run('-value(missing.x) * 0', source)).value)).toBe('null');
    expect(text((await run('value(missing.x, year - 1) / 2', source)).value)).toBe('null');
    expect(text((await run('coalesce(value(missing.x), value(a.b), 7)', source)).value)).toBe('5');
    expect(text((await run('coalesce(value(missing.x), 0) + 1', source)).value)).toBe('1');
    expect(text((await run('coalesce(value(missing.x))', source)).value)).toBe('null');
    expect(text((await run('min(value(a.b), 3)', source)).value)).toBe('3');
    expect(text((await run('max(value(a.b), 3, -1)', source)).value)).toBe('5');
    expect(text((await run('max(value(a.b), value(missing.x))', source)).value)).toBe('null');
  });

  it('turns division by zero into null with a note at the operator', async () => {
    const { source } = fake({ aggregates: { 'count project 2022': R('4') } });
    const { value, trace } = await run('count(project)\n  / count(other)', source);
    expect(value).toEqual({ kind: 'scalar', value: null });
    expect(trace.at(-1)).toEqual({ kind: 'note', line: 2, column: 3, message: 'division by zero: result is missing', messageZh: '除数为零，结果缺失' });
    expect(text((await run('1 / (2 - 2) + 1', source)).value)).toBe('null');
    expect(text((await run('coalesce(1 / 0, 9)', source)).value)).toBe('9');
  });

  it('applies scalar operations to every entry of a breakdown', async () => {
    const { source } = fake({
      aggregates: {
        'sum fund_allocation.amount 2022 by category': [
          { key: 'industry', value: R('300') },
          { key: 'education', value: R('100') },
        ],
        'sum fund_allocation.amount 2022': R('400'),
      },
    });
    expect(text((await run('sum(fund_allocation.amount) by category / sum(fund_allocation.amount) * 100', source)).value)).toBe('industry=75 education=25');
    expect(text((await run('1000 - sum(fund_allocation.amount) by category', source)).value)).toBe('industry=700 education=900');
    expect(text((await run('-sum(fund_allocation.amount) by category', source)).value)).toBe('industry=-300 education=-100');
    expect(text((await run('min(sum(fund_allocation.amount) by category, 200)', source)).value)).toBe('industry=200 education=100');
    expect(text((await run('sum(fund_allocation.amount) by category + value(missing.x)', source)).value)).toBe('industry=null education=null');
  });

  it('pairs two breakdowns by key; a key missing on one side is null', async () => {
    const { source } = fake({
      aggregates: {
        'count job_fair 2022 by mode': [
          { key: 'online', value: R('3') },
          { key: 'onsite', value: R('5') },
        ],
      },
      reported: { 'labour.job_fairs 2022 onsite': '4', 'labour.job_fairs 2022 online': '3', 'labour.job_fairs 2022 hybrid': '1' },
    });
    const { value } = await run('count(job_fair) by mode - values(labour.job_fairs) by dim', source);
    expect(text(value)).toBe('online=0 onsite=1 hybrid=null');
    expect(text((await run('coalesce(count(job_fair) by mode - values(labour.job_fairs) by dim, 99)', source)).value)).toBe('online=0 onsite=1 hybrid=99');
    expect(text((await run('count(job_fair) by mode / (count(job_fair) by mode - 3)', source)).value)).toBe('online=null onsite=2.5');
    const { trace } = await run('count(job_fair) by mode / (count(job_fair) by mode - 3)', source);
    expect(trace.filter((t) => t.kind === 'note')).toEqual([
      { kind: 'note', line: 1, column: 25, key: 'online', message: "division by zero for 'online': result is missing", messageZh: '“online”除数为零，结果缺失' },
    ]);
  });

  it('reads other indicators for the requested year, scalar or breakdown', async () => {
    const { source, calls } = fake({
      indicators: {
        'labour.to_partner 2022': { kind: 'scalar', value: R('150') },
        'labour.to_partner 2021': { kind: 'scalar', value: R('120') },
        'pairings.by_type 2022': { kind: 'breakdown', entries: [{ key: 'village', value: R('2') }, { key: 'school', value: null }] },
      },
    });
    const { value, trace } = await run('ref(labour.to_partner) - ref(labour.to_partner, year - 1)', source);
    expect(text(value)).toBe('30');
    expect(calls).toEqual([{ id: 'labour.to_partner', year: 2022 }, { id: 'labour.to_partner', year: 2021 }]);
    expect(trace.map((t) => t.kind === 'indicator' && t.query)).toEqual([{ id: 'labour.to_partner', year: 2022 }, { id: 'labour.to_partner', year: 2021 }]);
    expect(text((await run('ref(pairings.by_type) * 10', source)).value)).toBe('village=20 school=null');
    expect(text((await run('ref(unknown.one)', source)).value)).toBe('null');
  });

  it('records leaves in evaluation order, including those whose result is unused', async () => {
    const { source } = fake({ reported: { 'a 2022': '1' } });
    const { trace } = await run('coalesce(value(a), value(b)) + count(x) * ref(i, 2020)', source);
    expect(trace.map((t) => t.kind)).toEqual(['reported', 'reported', 'aggregate', 'indicator']);
    expect(JSON.parse(JSON.stringify(trace))[0]).toEqual({ kind: 'reported', query: { element: 'a', year: 2022 }, value: '1' });
  });

  it('propagates data source failures and rejects contract violations', async () => {
    const failing: DataSource = {
      aggregate: async () => { throw new Error('db down'); },
      reported: async () => [{ key: 'x', value: R('1') }],
      indicator: async () => ({ kind: 'scalar', value: null }),
    };
    await expect(run('count(x)', failing)).rejects.toThrow('db down');
    await expect(run('value(x)', failing)).rejects.toThrow(TypeError);
    const wrongShape: DataSource = { ...failing, aggregate: async () => R('1') };
    await expect(run('count(x) by y', wrongShape)).rejects.toThrow(/must return an array/);
    const nullByDim: DataSource = { ...failing, reported: async () => null };
    expect((await run('values(x) by dim', nullByDim)).value).toEqual({ kind: 'breakdown', entries: [] });
  });

  it('evaluates without waiting when the source answers directly, with the same value and trace', async () => {
    const { source } = fake({ aggregates: { 'sum spend.amount 2022': R('250'), 'count spend 2022 by kind': [{ key: 'a', value: R('2') }] }, reported: { 'plan 2022': '1000' } });
    const parsed = parse('sum(spend.amount) / value(plan) * 100 + count(spend) by kind');
    if (!parsed.ok) throw new Error(parsed.error.message);
    // The answers are learnt once from the asynchronous source, then served directly.
    const answers = new Map<string, never>();
    const learning: DataSource = {
      ...source,
      aggregate: async (q) => { const v = await source.aggregate(q); answers.set(JSON.stringify(q), v as never); return v; },
      reported: async (q) => { const v = await source.reported(q); answers.set(JSON.stringify(q), v as never); return v; },
    };
    const learnt = await evaluate(parsed.ast, { year: 2022, source: learning });
    const direct: DataSource = { aggregate: (q) => answers.get(JSON.stringify(q))!, reported: (q) => answers.get(JSON.stringify(q))!, indicator: () => { throw new Error('not read'); } };
    const r = runSteps(evaluation(parsed.ast, { year: 2022, source: direct }));
    expect(isThenable(r)).toBe(false);
    expect(JSON.parse(JSON.stringify(r))).toEqual(JSON.parse(JSON.stringify(learnt)));
    expect(text(learnt.value)).toBe('a=27');
  });

  it('asks each leaf once when some answers are at hand and one must be waited for, and traces them in order', async () => {
    const parsed = parse('sum(spend.amount) / 2 + value(plan) - count(spend) + 1 / 0');
    if (!parsed.ok) throw new Error(parsed.error.message);
    const asked: string[] = [];
    const mixed: DataSource = {
      aggregate: (q) => { asked.push(`${q.fn} ${q.ledger}`); return q.fn === 'sum' ? R('30') : R('4'); },
      // The reported value is the one answer that is a promise.
      reported: async (q) => { asked.push(`value ${q.element}`); return R('10'); },
      indicator: () => { throw new Error('not read'); },
    };
    const r = await evaluate(parsed.ast, { year: 2022, source: mixed });
    // The leaf before the promise is asked again when the evaluation goes on waiting; the promise's leaf is not.
    expect(asked.filter((a) => a === 'value plan')).toEqual(['value plan']);
    expect(asked.filter((a) => a === 'count spend')).toEqual(['count spend']);
    expect(text(r.value)).toBe('null');
    expect(r.trace.map((t) => t.kind)).toEqual(['aggregate', 'reported', 'aggregate', 'note']);
    const plain = parse('sum(spend.amount) / 2 + value(plan) - count(spend)');
    if (!plain.ok) throw new Error(plain.error.message);
    expect(text((await evaluate(plain.ast, { year: 2022, source: mixed })).value)).toBe('21');
  });
});
