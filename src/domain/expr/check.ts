/**
 * Static checks of a parsed formula against what exists: ledgers and their fields, reported
 * elements and indicators. Every problem found is returned (not only the first), each located at
 * the offending name or literal.
 */
import type { Cond, Expr, Literal, Pos, YearRef } from './ast.ts';

export type FieldType = 'text' | 'int' | 'money' | 'date' | 'enum' | 'bool' | 'code';

export interface Schema {
  ledgers: Record<string, { fields: Record<string, { type: FieldType }> }>;
  elements: Set<string> | Record<string, unknown>;
  indicators: Set<string>;
}

export interface CheckError {
  message: string;
  messageZh: string;
  line: number;
  column: number;
}

const SUMMABLE: readonly FieldType[] = ['int', 'money'];

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(up + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

/** The closest candidate within a few edits, as a "did you mean" suffix (English, Chinese). */
function suggest(name: string, candidates: Iterable<string>): [string, string] {
  let best: string | undefined;
  let bestD = Math.max(1, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const d = distance(name, c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best === undefined ? ['', ''] : [` (did you mean '${best}'?)`, `（是否为“${best}”？）`];
}

function literalFits(type: FieldType, l: Literal): boolean {
  switch (type) {
    case 'bool': return l.kind === 'bool';
    case 'int':
    case 'money': return l.kind === 'number';
    case 'text':
    case 'date':
    case 'enum':
    case 'code': return l.kind === 'string';
  }
}

const EXPECTED_LITERAL: Record<FieldType, [string, string]> = {
  bool: ['true or false', 'true 或 false'],
  int: ['a number', '数字'],
  money: ['a whole number of fen', '整数（单位：分）'],
  text: ['a quoted string', '带引号的字符串'],
  date: ["a quoted date such as '2022-06-30'", "带引号的日期，如 '2022-06-30'"],
  enum: ['a quoted category value', '带引号的类别值'],
  code: ['a quoted code', '带引号的代码'],
};

class Checker {
  readonly errors: CheckError[] = [];

  constructor(private readonly schema: Schema) {}

  err(pos: Pos, message: string, messageZh: string): void {
    this.errors.push({ message, messageZh, line: pos.line, column: pos.column });
  }

  elementExists(id: string): boolean {
    const els = this.schema.elements;
    return els instanceof Set ? els.has(id) : has(els, id);
  }

  elementIds(): Iterable<string> {
    const els = this.schema.elements;
    return els instanceof Set ? els : Object.keys(els);
  }

  /** The ledger's fields, or undefined after reporting it unknown. */
  ledger(name: string, pos: Pos): Record<string, { type: FieldType }> | undefined {
    if (has(this.schema.ledgers, name)) return this.schema.ledgers[name]!.fields;
    const [en, zh] = suggest(name, Object.keys(this.schema.ledgers));
    this.err(pos, `unknown ledger '${name}'${en}`, `未知台账“${name}”${zh}`);
    return undefined;
  }

  field(ledger: string, fields: Record<string, { type: FieldType }>, name: string, pos: Pos): FieldType | undefined {
    if (has(fields, name)) return fields[name]!.type;
    const [en, zh] = suggest(name, Object.keys(fields));
    this.err(pos, `ledger '${ledger}' has no field '${name}'${en}`, `台账“${ledger}”没有字段“${name}”${zh}`);
    return undefined;
  }

  literal(ledger: string, field: string, type: FieldType, l: Literal): void {
    if (literalFits(type, l) && !(type === 'money' && l.kind === 'number' && !l.value.isInteger())) return;
    const [en, zh] = EXPECTED_LITERAL[type];
    this.err(l.pos, `field '${ledger}.${field}' is ${type}: compare it with ${en}`, `字段“${ledger}.${field}”的类型为 ${type}，应与${zh}比较`);
  }

  cond(ledger: string, fields: Record<string, { type: FieldType }>, c: Cond): void {
    switch (c.kind) {
      case 'and':
      case 'or':
        for (const a of c.args) this.cond(ledger, fields, a);
        return;
      case 'not':
        this.cond(ledger, fields, c.arg);
        return;
      case 'cmp': {
        const t = this.field(ledger, fields, c.field, c.pos);
        if (!t) return;
        if (t === 'bool' && c.op !== '=' && c.op !== '!=') {
          this.err(c.pos, `field '${ledger}.${c.field}' is bool: use '=' or '!=', not '${c.op}'`, `字段“${ledger}.${c.field}”为布尔型，只能用“=”或“!=”比较`);
          return;
        }
        this.literal(ledger, c.field, t, c.value);
        return;
      }
      case 'in': {
        const t = this.field(ledger, fields, c.field, c.pos);
        if (t) for (const v of c.values) this.literal(ledger, c.field, t, v);
        return;
      }
      case 'null':
        this.field(ledger, fields, c.field, c.pos);
        return;
    }
  }

  expr(e: Expr): void {
    switch (e.kind) {
      case 'number':
      case 'year':
        return;
      case 'neg':
        this.expr(e.arg);
        return;
      case 'binary':
        this.expr(e.left);
        this.expr(e.right);
        return;
      case 'fn':
        for (const a of e.args) this.expr(a);
        return;
      case 'count':
      case 'sum': {
        const fields = this.ledger(e.ledger, e.ledgerPos);
        if (!fields) return;
        if (e.kind === 'sum') {
          const t = this.field(e.ledger, fields, e.field, e.fieldPos);
          if (t && !SUMMABLE.includes(t))
            this.err(e.fieldPos, `cannot sum '${e.ledger}.${e.field}': it is ${t}; only int and money fields can be summed`, `不能对“${e.ledger}.${e.field}”求和：其类型为 ${t}，只有整数和金额字段可以求和`);
        }
        if (e.where) this.cond(e.ledger, fields, e.where);
        if (e.by !== undefined) this.field(e.ledger, fields, e.by, e.byPos ?? e.pos);
        return;
      }
      case 'value':
      case 'values':
        if (!this.elementExists(e.element)) {
          const [en, zh] = suggest(e.element, this.elementIds());
          this.err(e.elementPos, `unknown element '${e.element}'${en}`, `未知数据项“${e.element}”${zh}`);
        }
        return;
      case 'ref':
        if (!this.schema.indicators.has(e.id)) {
          const [en, zh] = suggest(e.id, this.schema.indicators);
          this.err(e.idPos, `unknown indicator '${e.id}'${en}`, `未知指标“${e.id}”${zh}`);
        }
        return;
    }
  }
}

/**
 * Every unknown ledger, field, element or indicator in `ast`, every `sum` over a field that is not
 * int or money, and every condition literal that cannot match its field's type (bool fields take
 * true/false with = or !=; int fields numbers; money fields whole numbers of 分; text, date, enum
 * and code fields quoted strings). An empty array means the formula only refers to what exists.
 */
export function check(ast: Expr, schema: Schema): CheckError[] {
  const c = new Checker(schema);
  c.expr(ast);
  return c.errors;
}

export interface References {
  ledgers: string[];
  elements: string[];
  indicators: Array<{ id: string; year: YearRef }>;
}

/** The ledgers, elements and indicators a formula reads, each once, in order of first use. */
export function references(ast: Expr): References {
  const ledgers = new Set<string>();
  const elements = new Set<string>();
  const indicators = new Map<string, { id: string; year: YearRef }>();
  const walk = (e: Expr): void => {
    switch (e.kind) {
      case 'number':
      case 'year':
        return;
      case 'neg':
        return walk(e.arg);
      case 'binary':
        walk(e.left);
        return walk(e.right);
      case 'fn':
        return e.args.forEach(walk);
      case 'count':
      case 'sum':
        ledgers.add(e.ledger);
        return;
      case 'value':
      case 'values':
        elements.add(e.element);
        return;
      case 'ref': {
        const key = `${e.id}@${e.year.kind}:${e.year.kind === 'relative' ? e.year.offset : e.year.year}`;
        if (!indicators.has(key)) indicators.set(key, { id: e.id, year: e.year });
        return;
      }
    }
  };
  walk(ast);
  return { ledgers: [...ledgers], elements: [...elements], indicators: [...indicators.values()] };
}
