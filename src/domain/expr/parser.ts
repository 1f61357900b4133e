/**
 * Recursive-descent parser for the expression language (grammar in README.md). `parse` never throws
 * for bad input: it returns the first syntax error with its line and column.
 */
import { Rational } from '../rational.ts';
import type { CmpOp, Cond, Expr, Literal, ParseResult, Pos, YearRef } from './ast.ts';
import { type BaseOffset, fault, lex, SyntaxFault, type Token } from './lexer.ts';

export const FUNCTIONS = ['count', 'sum', 'value', 'values', 'ref', 'min', 'max', 'coalesce'] as const;

/** Words that cannot be used as ledger, field, element or indicator names. */
export const RESERVED = new Set(['where', 'and', 'or', 'not', 'in', 'is', 'null', 'true', 'false', 'by']);

const CMP_OPS: readonly string[] = ['=', '!=', '<', '<=', '>', '>='];
const MAX_DEPTH = 200;

interface Wanted {
  en: string;
  zh: string;
}

const w = (en: string, zh: string): Wanted => ({ en, zh });

function describe(t: Token): Wanted {
  switch (t.kind) {
    case 'eof': return w('end of input', '输入结束');
    case 'number': return w(`number ${t.text}`, `数字 ${t.text}`);
    case 'string': return w(`string ${t.text}`, `字符串 ${t.text}`);
    case 'ident':
    case 'punct': return w(`'${t.text}'`, `“${t.text}”`);
  }
}

class Parser {
  private i = 0;
  private depth = 0;

  constructor(private readonly toks: Token[]) {}

  peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  isPunct(p: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'punct' && t.text === p;
  }

  isWord(word: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'ident' && t.text === word;
  }

  fail(wanted: Wanted, t: Token = this.peek()): SyntaxFault {
    const found = describe(t);
    return fault(t.pos, `expected ${wanted.en} but found ${found.en}`, `此处应为${wanted.zh}，但遇到${found.zh}`);
  }

  expectPunct(p: string, wanted: Wanted = w(`'${p}'`, `“${p}”`)): Token {
    if (!this.isPunct(p)) throw this.fail(wanted);
    return this.next();
  }

  expectWord(word: string, wanted: Wanted = w(`'${word}'`, `“${word}”`)): Token {
    if (!this.isWord(word)) throw this.fail(wanted);
    return this.next();
  }

  /** A plain name that is not a reserved word. */
  name(wanted: Wanted): Token {
    const t = this.peek();
    if (t.kind !== 'ident' || RESERVED.has(t.text)) throw this.fail(wanted);
    return this.next();
  }

  /** A name possibly made of dot-separated parts, e.g. `funds.disbursement_rate`. */
  dotted(wanted: Wanted): { name: string; pos: Pos } {
    const first = this.name(wanted);
    let name = first.text;
    while (this.isPunct('.')) {
      this.next();
      name += `.${this.name(w(`a name after '.' in '${name}.'`, `“${name}.”后的名称`)).text}`;
    }
    return { name, pos: first.pos };
  }

  enter(t: Token): void {
    if (++this.depth > MAX_DEPTH) throw fault(t.pos, `expression nested more than ${MAX_DEPTH} levels deep`, `表达式嵌套超过${MAX_DEPTH}层`);
  }

  // expr := term (('+'|'-') term)*
  expr(): Expr {
    let left = this.term();
    while (this.isPunct('+') || this.isPunct('-')) {
      const op = this.next();
      left = { kind: 'binary', op: op.text as '+' | '-', left, right: this.term(), pos: op.pos };
    }
    return left;
  }

  // term := unary (('*'|'/') unary)*
  term(): Expr {
    let left = this.unary();
    while (this.isPunct('*') || this.isPunct('/')) {
      const op = this.next();
      left = { kind: 'binary', op: op.text as '*' | '/', left, right: this.unary(), pos: op.pos };
    }
    return left;
  }

  // unary := '-' unary | primary
  unary(): Expr {
    if (this.isPunct('-')) {
      const op = this.next();
      this.enter(op);
      const arg = this.unary();
      this.depth--;
      return { kind: 'neg', arg, pos: op.pos };
    }
    return this.primary();
  }

  primary(): Expr {
    const t = this.peek();
    if (t.kind === 'number') {
      this.next();
      return { kind: 'number', value: Rational.parse(t.text), text: t.text, pos: t.pos };
    }
    if (t.kind === 'punct' && t.text === '(') {
      this.next();
      this.enter(t);
      const e = this.expr();
      this.expectPunct(')');
      this.depth--;
      return e;
    }
    if (t.kind === 'ident') {
      if (this.isPunct('(', 1)) {
        this.enter(t);
        const e = this.call();
        this.depth--;
        return e;
      }
      if (t.text === 'year') {
        this.next();
        return { kind: 'year', pos: t.pos };
      }
      if ((FUNCTIONS as readonly string[]).includes(t.text)) {
        this.next();
        throw this.fail(w(`'(' after '${t.text}'`, `“${t.text}”后的“(”`));
      }
      throw this.fail(w("a number, '(', a function such as sum(…) or 'year'", '数字、“(”、函数（如 sum(…)）或 year'));
    }
    throw this.fail(w('an expression', '表达式'));
  }

  call(): Expr {
    const fn = this.next();
    switch (fn.text) {
      case 'count': {
        this.expectPunct('(');
        const ledger = this.name(w('a ledger name', '台账名称'));
        const where = this.where();
        this.expectPunct(')', where ? w("'and', 'or' or ')'", '“and”、“or”或“)”') : w("'where' or ')'", '“where”或“)”'));
        const by = this.by();
        return { kind: 'count', ledger: ledger.text, ledgerPos: ledger.pos, ...(where && { where }), ...by, pos: fn.pos };
      }
      case 'sum': {
        this.expectPunct('(');
        const ledger = this.name(w('a ledger name', '台账名称'));
        this.expectPunct('.', w(`'.' and a field after '${ledger.text}' (sum reads ledger.field)`, `“${ledger.text}”后的“.”和字段名（sum 的参数为 台账.字段）`));
        const field = this.name(w(`a field name after '${ledger.text}.'`, `“${ledger.text}.”后的字段名`));
        const where = this.where();
        this.expectPunct(')', where ? w("'and', 'or' or ')'", '“and”、“or”或“)”') : w("'where' or ')'", '“where”或“)”'));
        const by = this.by();
        return { kind: 'sum', ledger: ledger.text, ledgerPos: ledger.pos, field: field.text, fieldPos: field.pos, ...(where && { where }), ...by, pos: fn.pos };
      }
      case 'value': {
        this.expectPunct('(');
        const el = this.dotted(w('an element id', '数据项编号'));
        let year: YearRef = { kind: 'relative', offset: 0 };
        let dim: string | undefined;
        let sawYear = false;
        while (this.isPunct(',')) {
          if (dim !== undefined) throw this.fail(w("')' (dim = '…' comes last)", '“)”（dim = \'…\' 须放在最后）'));
          this.next();
          if (this.isWord('dim') && this.isPunct('=', 1)) {
            this.next();
            this.next();
            const s = this.peek();
            if (s.kind !== 'string') throw this.fail(w("a quoted dim value after 'dim ='", '“dim =”后带引号的维度值'));
            dim = this.next().value;
          } else if (!sawYear) {
            year = this.yearRef();
            sawYear = true;
          } else {
            throw this.fail(w("dim = '…'", "dim = '…'"));
          }
        }
        this.expectPunct(')', dim === undefined ? w("',' or ')'", '“,”或“)”') : w("')'", '“)”'));
        return { kind: 'value', element: el.name, elementPos: el.pos, year, ...(dim !== undefined && { dim }), pos: fn.pos };
      }
      case 'values': {
        this.expectPunct('(');
        const el = this.dotted(w('an element id', '数据项编号'));
        let year: YearRef = { kind: 'relative', offset: 0 };
        let sawYear = false;
        if (this.isPunct(',')) {
          this.next();
          year = this.yearRef();
          sawYear = true;
        }
        this.expectPunct(')', sawYear ? w("')'", '“)”') : w("',' or ')'", '“,”或“)”'));
        let byDim = false;
        if (this.isWord('by')) {
          this.next();
          this.expectWord('dim', w("'dim' after 'by' (values(…) is broken down by dim only)", '“by”后的“dim”（values(…) 只能按 dim 分组）'));
          byDim = true;
        }
        return { kind: 'values', element: el.name, elementPos: el.pos, year, byDim, pos: fn.pos };
      }
      case 'ref': {
        this.expectPunct('(');
        const id = this.dotted(w('an indicator id', '指标编号'));
        let year: YearRef = { kind: 'relative', offset: 0 };
        let sawYear = false;
        if (this.isPunct(',')) {
          this.next();
          year = this.yearRef();
          sawYear = true;
        }
        this.expectPunct(')', sawYear ? w("')'", '“)”') : w("',' or ')'", '“,”或“)”'));
        return { kind: 'ref', id: id.name, idPos: id.pos, year, pos: fn.pos };
      }
      case 'min':
      case 'max':
      case 'coalesce': {
        this.expectPunct('(');
        const args = [this.expr()];
        while (this.isPunct(',')) {
          this.next();
          args.push(this.expr());
        }
        this.expectPunct(')', w("an operator, ',' or ')'", '运算符、“,”或“)”'));
        return { kind: 'fn', name: fn.text as 'min' | 'max' | 'coalesce', args, pos: fn.pos };
      }
      default:
        throw fault(
          fn.pos,
          `unknown function '${fn.text}': expected one of ${FUNCTIONS.join(', ')}`,
          `未知函数“${fn.text}”，可用函数为 ${FUNCTIONS.join('、')}`,
        );
    }
  }

  by(): { by?: string; byPos?: Pos } {
    if (!this.isWord('by')) return {};
    this.next();
    const f = this.name(w("a field name after 'by'", '“by”后的字段名'));
    return { by: f.text, byPos: f.pos };
  }

  // yearExpr := 'year' [('-'|'+') INTEGER] | INTEGER
  yearRef(): YearRef {
    const t = this.peek();
    if (t.kind === 'ident' && t.text === 'year') {
      this.next();
      if (this.isPunct('-') || this.isPunct('+')) {
        const op = this.next();
        const n = this.integer(w(`a whole number of years after 'year ${op.text}'`, `“year ${op.text}”后的整年数`));
        return { kind: 'relative', offset: op.text === '-' ? -n : n };
      }
      return { kind: 'relative', offset: 0 };
    }
    if (t.kind === 'number') return { kind: 'absolute', year: this.integer(w('a whole year such as 2021', '整数年份，如 2021')) };
    throw this.fail(w("'year', 'year - N' or a year such as 2021", '“year”、“year - N”或年份（如 2021）'));
  }

  integer(wanted: Wanted): number {
    const t = this.peek();
    if (t.kind !== 'number' || !/^\d{1,9}$/.test(t.text)) throw this.fail(wanted);
    this.next();
    return Number(t.text);
  }

  where(): Cond | undefined {
    if (!this.isWord('where')) return undefined;
    this.next();
    return this.orCond();
  }

  // cond := andc ('or' andc)*
  orCond(): Cond {
    const first = this.andCond();
    const args = [first];
    while (this.isWord('or')) {
      this.next();
      args.push(this.andCond());
    }
    return args.length === 1 ? first : { kind: 'or', args, pos: first.pos };
  }

  // andc := notc ('and' notc)*
  andCond(): Cond {
    const first = this.notCond();
    const args = [first];
    while (this.isWord('and')) {
      this.next();
      args.push(this.notCond());
    }
    return args.length === 1 ? first : { kind: 'and', args, pos: first.pos };
  }

  // notc := 'not' notc | '(' cond ')' | cmp
  notCond(): Cond {
    const t = this.peek();
    if (this.isWord('not')) {
      this.next();
      this.enter(t);
      const arg = this.notCond();
      this.depth--;
      return { kind: 'not', arg, pos: t.pos };
    }
    if (this.isPunct('(')) {
      this.next();
      this.enter(t);
      const c = this.orCond();
      this.expectPunct(')', w("'and', 'or' or ')'", '“and”、“or”或“)”'));
      this.depth--;
      return c;
    }
    return this.cmp();
  }

  // cmp := FIELD op literal | FIELD ['not'] 'in' '(' literal (',' literal)* ')' | FIELD 'is' ['not'] 'null'
  cmp(): Cond {
    const field = this.name(w("a field name, 'not' or '('", '字段名、“not”或“(”'));
    const t = this.peek();
    if (t.kind === 'punct' && CMP_OPS.includes(t.text)) {
      this.next();
      return { kind: 'cmp', field: field.text, op: t.text as CmpOp, value: this.literal(), pos: field.pos };
    }
    if (this.isWord('not') || this.isWord('in')) {
      const negated = this.isWord('not');
      if (negated) {
        this.next();
        this.expectWord('in', w("'in' after 'not'", '“not”后的“in”'));
      } else this.next();
      return { kind: 'in', field: field.text, negated, values: this.list(negated ? 'not in' : 'in'), pos: field.pos };
    }
    if (this.isWord('is')) {
      this.next();
      const negated = this.isWord('not');
      if (negated) this.next();
      this.expectWord('null', negated ? w("'null' after 'is not'", '“is not”后的“null”') : w("'null' or 'not null' after 'is'", '“is”后的“null”或“not null”'));
      return { kind: 'null', field: field.text, negated, pos: field.pos };
    }
    throw this.fail(w(
      `a comparison after field '${field.text}' ('=', '!=', '<', '<=', '>', '>=', 'in', 'not in' or 'is null')`,
      `字段“${field.text}”后的比较（=、!=、<、<=、>、>=、in、not in 或 is null）`,
    ));
  }

  list(keyword: string): Literal[] {
    this.expectPunct('(', w(`'(' to start the list after '${keyword}'`, `“${keyword}”后表示列表开始的“(”`));
    const values = [this.literal()];
    while (this.isPunct(',')) {
      this.next();
      values.push(this.literal());
    }
    this.expectPunct(')', w("',' or ')' in the list", '列表中的“,”或“)”'));
    return values;
  }

  // literal := STRING | ['-'] NUMBER | 'true' | 'false'
  literal(): Literal {
    const t = this.peek();
    if (t.kind === 'string') {
      this.next();
      return { kind: 'string', value: t.value, pos: t.pos };
    }
    if (t.kind === 'number' || (t.kind === 'punct' && t.text === '-' && this.peek(1).kind === 'number')) {
      const neg = t.kind === 'punct';
      if (neg) this.next();
      const n = this.next();
      const v = Rational.parse(n.text);
      return { kind: 'number', value: neg ? v.neg() : v, text: neg ? `-${n.text}` : n.text, pos: t.pos };
    }
    if (t.kind === 'ident' && (t.text === 'true' || t.text === 'false')) {
      this.next();
      return { kind: 'bool', value: t.text === 'true', pos: t.pos };
    }
    if (t.kind === 'ident' && t.text === 'null') {
      throw fault(t.pos, "expected a literal but found 'null' (test for missing values with 'is null')", '此处应为字面量，但遇到“null”（判断缺失值请用“is null”）');
    }
    throw this.fail(w('a literal (a quoted string, a number, true or false)', '字面量（带引号的字符串、数字、true 或 false）'));
  }

  end(): void {
    if (this.peek().kind !== 'eof') throw this.fail(w('an operator or end of input', '运算符或输入结束'));
  }
}

/** Position of the formula's first character in the enclosing document; both default to 1. */
export type ParseOptions = Partial<BaseOffset>;

/**
 * Parses a formula. Positions in the result and in errors are 1-based; when the formula is
 * embedded in a larger file, pass the position of its first character as `base` and positions
 * will refer to that file (only the first line is shifted by `base.column`).
 */
export function parse(src: string, base?: ParseOptions): ParseResult {
  try {
    const tokens = lex(src, { line: base?.line ?? 1, column: base?.column ?? 1 });
    const p = new Parser(tokens);
    if (p.peek().kind === 'eof') throw p.fail(w('an expression', '表达式'));
    const ast = p.expr();
    p.end();
    return { ok: true, ast };
  } catch (e) {
    if (e instanceof SyntaxFault) return { ok: false, error: e.error };
    throw e;
  }
}
