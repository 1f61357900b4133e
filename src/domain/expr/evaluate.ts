/**
 * Exact evaluation of a parsed formula over a data source that answers at once or asynchronously.
 * Every figure fetched is recorded in the trace, so a result can be traced back to the records and
 * reported values it came from.
 */
import { Rational } from '../rational.ts';
import { isThenable, type Maybe, runAsync, settle, type Steps } from '../steps.ts';
import type { Cond, Expr, Pos, YearRef } from './ast.ts';

/** A result: one number, or one number per key (a category, a dim). `null` means missing data. */
export type Value =
  | { kind: 'scalar'; value: Rational | null }
  | { kind: 'breakdown'; entries: Array<{ key: string; value: Rational | null }> };

/** A count or sum over a ledger's records of one year; `by` asks for one figure per value of that field. */
export interface AggregateQuery {
  fn: 'count' | 'sum';
  ledger: string;
  /** The summed field; present exactly when `fn` is 'sum'. */
  field?: string;
  where?: Cond;
  by?: string;
  year: number;
  /**
   * Only records whose date field `field` is on or before `day` (ISO), for a figure to date; records
   * with no date in that field are left out. Absent for the whole year's figure.
   */
  upTo?: { field: string; day: string };
}

/**
 * A reported value: the one with `dim` (the undimensioned one when absent), the sum over all dims
 * (`allDims`), or one entry per dim (`byDim`).
 */
export interface ReportedQuery {
  element: string;
  year: number;
  dim?: string;
  allDims?: boolean;
  byDim?: boolean;
}

export interface IndicatorQuery {
  id: string;
  year: number;
}

/** Each method may answer directly or with a promise; a source that answers directly is evaluated without waiting. */
export interface DataSource {
  /** Returns an array exactly when `q.by` is set. */
  aggregate(q: AggregateQuery): Maybe<Rational | Array<{ key: string; value: Rational }>>;
  /**
   * The query as this source reads it (a figure to date adds its date condition); the evaluation asks
   * and traces that query, so the trace says exactly what was read. Absent: the query as written.
   */
  place?(q: AggregateQuery): AggregateQuery;
  /** Returns an array exactly when `q.byDim` is set; `null` when nothing was reported. */
  reported(q: ReportedQuery): Maybe<Rational | null | Array<{ key: string; value: Rational }>>;
  indicator(id: string, year: number): Maybe<Value>;
}

/** One step of an evaluation: a figure fetched from the data source, or a note about a figure that could not be computed. */
export type TraceEntry =
  | { kind: 'aggregate'; query: AggregateQuery; value: Rational | Array<{ key: string; value: Rational }> }
  | { kind: 'reported'; query: ReportedQuery; value: Rational | null | Array<{ key: string; value: Rational }> }
  | { kind: 'indicator'; query: IndicatorQuery; value: Value }
  /** `key` is set when the note concerns one entry of a breakdown. */
  | { kind: 'note'; message: string; messageZh: string; line: number; column: number; key?: string };

export interface EvalContext {
  /** The assessment year formulas are evaluated for; `year` and relative years refer to it. */
  year: number;
  source: DataSource;
}

type Num = Rational | null;

const scalar = (value: Num): Value => ({ kind: 'scalar', value });

function yearOf(y: YearRef, ctx: EvalContext): number {
  return y.kind === 'relative' ? ctx.year + y.offset : y.year;
}

function contract(what: string): TypeError {
  return new TypeError(`data source broke its contract: ${what}`);
}

// The query a count or sum node asks for a year, made once: every county's evaluation of a
// catalogue asks the same queries, and a batch keys its answers by them (frozen, as they are shared).
const queries = new WeakMap<Expr, Map<number, AggregateQuery>>();
function aggregateQuery(e: Extract<Expr, { kind: 'count' | 'sum' }>, year: number): AggregateQuery {
  let byYear = queries.get(e);
  if (!byYear) queries.set(e, byYear = new Map());
  let q = byYear.get(year);
  if (!q) {
    q = Object.freeze({
      fn: e.kind,
      ledger: e.ledger,
      ...(e.kind === 'sum' && { field: e.field }),
      ...(e.where && { where: e.where }),
      ...(e.by !== undefined && { by: e.by }),
      year,
    });
    byYear.set(year, q);
  }
  return q;
}

class Evaluation {
  readonly trace: TraceEntry[] = [];

  constructor(private readonly ctx: EvalContext) {}

  note(pos: Pos, key: string | undefined, message: string, messageZh: string): void {
    this.trace.push({ kind: 'note', message, messageZh, line: pos.line, column: pos.column, ...(key !== undefined && { key }) });
  }

  /**
   * Applies `f` to the arguments: directly when all are scalars, otherwise once per key of the
   * breakdowns (in order of first appearance), with scalars used for every key and a key missing
   * from a breakdown read as null.
   */
  combine(args: Value[], f: (xs: Num[], key: string | undefined) => Num): Value {
    if (args.every((a) => a.kind === 'scalar')) return scalar(f(args.map((a) => (a as { value: Num }).value), undefined));
    const keys: string[] = [];
    const maps = args.map((a) => {
      if (a.kind === 'scalar') return null;
      const m = new Map<string, Num>();
      for (const e of a.entries) {
        if (!m.has(e.key)) {
          m.set(e.key, e.value);
          if (!keys.includes(e.key)) keys.push(e.key);
        }
      }
      return m;
    });
    return {
      kind: 'breakdown',
      entries: keys.map((key) => ({
        key,
        value: f(args.map((a, i) => (a.kind === 'scalar' ? a.value : maps[i]!.get(key) ?? null)), key),
      })),
    };
  }

  /** The query a leaf asks its data source. */
  private query(e: Leaf): AggregateQuery | ReportedQuery | IndicatorQuery {
    const { ctx } = this;
    switch (e.kind) {
      case 'count':
      case 'sum': {
        const asked = aggregateQuery(e, ctx.year);
        return ctx.source.place?.(asked) ?? asked;
      }
      case 'value': return { element: e.element, year: yearOf(e.year, ctx), ...(e.dim !== undefined && { dim: e.dim }) };
      case 'values': return { element: e.element, year: yearOf(e.year, ctx), ...(e.byDim ? { byDim: true } : { allDims: true }) };
      case 'ref': return { id: e.id, year: yearOf(e.year, ctx) };
    }
  }

  /** The data source's answer to a leaf's query: a value, or a promise of one. */
  private ask(e: Leaf, q: AggregateQuery | ReportedQuery | IndicatorQuery): unknown {
    if (e.kind === 'count' || e.kind === 'sum') return this.ctx.source.aggregate(q as AggregateQuery);
    if (e.kind === 'ref') return this.ctx.source.indicator((q as IndicatorQuery).id, q.year);
    return this.ctx.source.reported(q as ReportedQuery);
  }

  /** A leaf's value from its source's answer, checked against the source's contract and traced. */
  private leaf(e: Leaf, q: AggregateQuery | ReportedQuery | IndicatorQuery, r: unknown): Value {
    switch (e.kind) {
      case 'count':
      case 'sum': {
        const aq = q as AggregateQuery;
        if (aq.by !== undefined && !Array.isArray(r)) throw contract(`aggregate with 'by' must return an array (${e.kind}(${e.ledger}…) by ${aq.by})`);
        if (aq.by === undefined && !(r instanceof Rational)) throw contract(`aggregate without 'by' must return a Rational (${e.kind}(${e.ledger}…))`);
        const v = r as Rational | Array<{ key: string; value: Rational }>;
        this.trace.push({ kind: 'aggregate', query: aq, value: v });
        return Array.isArray(v) ? { kind: 'breakdown', entries: v.map((x) => ({ key: x.key, value: x.value })) } : scalar(v);
      }
      case 'value': {
        if (Array.isArray(r)) throw contract(`reported(${e.element}) without byDim must return a Rational or null`);
        this.trace.push({ kind: 'reported', query: q as ReportedQuery, value: r as Rational | null });
        return scalar(r as Rational | null);
      }
      case 'values': {
        if (e.byDim) {
          const entries = (r === null ? [] : r) as Array<{ key: string; value: Rational }>;
          if (!Array.isArray(entries)) throw contract(`reported(${e.element}) with byDim must return an array`);
          this.trace.push({ kind: 'reported', query: q as ReportedQuery, value: entries });
          return { kind: 'breakdown', entries: entries.map((x) => ({ key: x.key, value: x.value })) };
        }
        if (Array.isArray(r)) throw contract(`reported(${e.element}) with allDims must return a Rational or null`);
        this.trace.push({ kind: 'reported', query: q as ReportedQuery, value: r as Rational | null });
        return scalar(r as Rational | null);
      }
      case 'ref':
        this.trace.push({ kind: 'indicator', query: q as IndicatorQuery, value: r as Value });
        return r as Value;
    }
  }

  private binary(e: Extract<Expr, { kind: 'binary' }>, left: Value, right: Value): Value {
    return this.combine([left, right], ([a, b], key) => {
      if (!a || !b) return null;
      switch (e.op) {
        case '+': return a.add(b);
        case '-': return a.sub(b);
        case '*': return a.mul(b);
        case '/':
          if (b.isZero()) {
            this.note(e.pos, key, `division by zero${key === undefined ? '' : ` for '${key}'`}: result is missing`, `${key === undefined ? '' : `“${key}”`}除数为零，结果缺失`);
            return null;
          }
          return a.div(b);
      }
    });
  }

  private fn(e: Extract<Expr, { kind: 'fn' }>, args: Value[]): Value {
    switch (e.name) {
      case 'coalesce':
        return this.combine(args, (xs) => xs.find((x) => x !== null) ?? null);
      case 'min':
      case 'max': {
        const pick = e.name === 'min' ? Rational.min : Rational.max;
        return this.combine(args, (xs) => (xs.every((x) => x !== null) ? (xs as Rational[]).reduce((a, b) => pick(a, b)) : null));
      }
    }
  }

  /** The leaf whose answer was a promise when evaluating at once stopped, with that answer: `eval` goes on from it without asking again. */
  private waiting?: { e: Leaf; q: AggregateQuery | ReportedQuery | IndicatorQuery; r: PromiseLike<unknown> };

  /**
   * The formula's value when every answer it needs is at hand, without a single step of waiting
   * (a catalogue evaluated from a prefetched batch); WAIT at the first answer that is a promise.
   */
  now(e: Expr): Value | typeof WAIT {
    switch (e.kind) {
      case 'number': return scalar(e.value);
      case 'year': return scalar(Rational.of(this.ctx.year));
      case 'neg': {
        const a = this.now(e.arg);
        return a === WAIT ? a : this.combine([a], ([x]) => (x ? x.neg() : null));
      }
      case 'binary': {
        const left = this.now(e.left);
        if (left === WAIT) return left;
        const right = this.now(e.right);
        return right === WAIT ? right : this.binary(e, left, right);
      }
      case 'fn': {
        const args: Value[] = [];
        for (const a of e.args) {
          const v = this.now(a);
          if (v === WAIT) return v;
          args.push(v);
        }
        return this.fn(e, args);
      }
      case 'count': case 'sum': case 'value': case 'values': case 'ref': {
        const q = this.query(e);
        const r = this.ask(e, q);
        if (!isThenable(r)) return this.leaf(e, q, r);
        this.waiting = { e, q, r };
        return WAIT;
      }
    }
  }

  *eval(e: Expr): Steps<Value> {
    switch (e.kind) {
      case 'number': return scalar(e.value);
      case 'year': return scalar(Rational.of(this.ctx.year));
      case 'neg': return this.combine([yield* this.eval(e.arg)], ([x]) => (x ? x.neg() : null));
      case 'binary': {
        const left = yield* this.eval(e.left);
        const right = yield* this.eval(e.right);
        return this.binary(e, left, right);
      }
      case 'fn': {
        const args: Value[] = [];
        for (const a of e.args) args.push(yield* this.eval(a));
        return this.fn(e, args);
      }
      case 'count': case 'sum': case 'value': case 'values': case 'ref': {
        const w = this.waiting?.e === e ? this.waiting : undefined;
        if (w) this.waiting = undefined;
        const q = w?.q ?? this.query(e);
        return this.leaf(e, q, yield* settle(w ? w.r : this.ask(e, q)));
      }
    }
  }
}

type Leaf = Extract<Expr, { kind: 'count' | 'sum' | 'value' | 'values' | 'ref' }>;

const WAIT: unique symbol = Symbol('wait');

/**
 * Evaluates `ast` for `ctx.year`. Arithmetic is exact. A null operand (missing data) makes the
 * result null, except inside `coalesce`, which takes its first non-null argument; `min` and `max`
 * are null if any argument is. Division by zero gives null and a `note` in the trace instead of
 * throwing. Operations between a breakdown and a scalar apply to every entry; between two
 * breakdowns they pair entries by key, a key missing on one side giving null. Leaves are fetched
 * one at a time, left to right, and appear in the trace in that order. Errors thrown by the data
 * source propagate unchanged.
 */
export function evaluate(ast: Expr, ctx: EvalContext): Promise<{ value: Value; trace: TraceEntry[] }> {
  return runAsync(evaluation(ast, ctx));
}

/** `evaluate` as a computation (steps.ts), for callers that compose it into one of their own. */
export function* evaluation(ast: Expr, ctx: EvalContext): Steps<{ value: Value; trace: TraceEntry[] }> {
  const run = new Evaluation(ctx);
  const now = run.now(ast);
  if (now !== WAIT) return { value: now, trace: run.trace };
  // An answer is a promise: evaluate again, waiting where needed. The leaves before it answered at
  // once and answer the same again; the one that was waited on is not asked twice.
  run.trace.length = 0;
  const value = yield* run.eval(ast);
  return { value, trace: run.trace };
}
