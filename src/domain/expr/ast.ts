/**
 * Syntax tree of the indicator expression language (grammar in README.md). Every node carries the
 * position of its first token, and every name that `check` can reject carries the position of that
 * name, so problems point at the exact token.
 */
import type { Rational } from '../rational.ts';

/** A location in the text being parsed, after applying the caller's base offset. */
export interface Pos {
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in UTF-16 code units (one per Chinese character). */
  column: number;
  /** 0-based index into the parsed source string (the base offset does not apply). */
  offset: number;
}

/** A literal on the right of a condition. Numbers keep their exact value and their source text. */
export type Literal =
  | { kind: 'string'; value: string; pos: Pos }
  | { kind: 'number'; value: Rational; text: string; pos: Pos }
  | { kind: 'bool'; value: boolean; pos: Pos };

export type CmpOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/**
 * A `where` condition over a ledger's fields. `field` names a ledger field as declared (not a SQL
 * column). `pos` is the position of the field name for comparisons, of the `not` keyword for a
 * negation, and of the first operand for and/or. `and` and `or` always have at least two args.
 */
export type Cond =
  | { kind: 'and'; args: Cond[]; pos: Pos }
  | { kind: 'or'; args: Cond[]; pos: Pos }
  | { kind: 'not'; arg: Cond; pos: Pos }
  | { kind: 'cmp'; field: string; op: CmpOp; value: Literal; pos: Pos }
  /** `field in (…)`, or `field not in (…)` when `negated`; `values` is never empty. */
  | { kind: 'in'; field: string; negated: boolean; values: Literal[]; pos: Pos }
  /** `field is null`, or `field is not null` when `negated`. */
  | { kind: 'null'; field: string; negated: boolean; pos: Pos };

/** The year a `value`, `values` or `ref` reads: relative to the evaluation year, or a fixed year. */
export type YearRef = { kind: 'relative'; offset: number } | { kind: 'absolute'; year: number };

export type BinaryOp = '+' | '-' | '*' | '/';

export type Expr =
  | { kind: 'number'; value: Rational; text: string; pos: Pos }
  /** The evaluation year as a number. */
  | { kind: 'year'; pos: Pos }
  | { kind: 'neg'; arg: Expr; pos: Pos }
  /** `pos` is the position of the operator. */
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; pos: Pos }
  | { kind: 'count'; ledger: string; ledgerPos: Pos; where?: Cond; by?: string; byPos?: Pos; pos: Pos }
  | { kind: 'sum'; ledger: string; ledgerPos: Pos; field: string; fieldPos: Pos; where?: Cond; by?: string; byPos?: Pos; pos: Pos }
  | { kind: 'value'; element: string; elementPos: Pos; year: YearRef; dim?: string; pos: Pos }
  /** All dims of an element summed, or one entry per dim when `byDim`. */
  | { kind: 'values'; element: string; elementPos: Pos; year: YearRef; byDim: boolean; pos: Pos }
  | { kind: 'ref'; id: string; idPos: Pos; year: YearRef; pos: Pos }
  | { kind: 'fn'; name: 'min' | 'max' | 'coalesce'; args: Expr[]; pos: Pos };

/** A syntax error. Messages say what was expected and what was found. */
export interface ParseError {
  message: string;
  messageZh: string;
  line: number;
  column: number;
}

export type ParseResult = { ok: true; ast: Expr } | { ok: false; error: ParseError };
