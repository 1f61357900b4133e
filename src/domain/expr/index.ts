/** The indicator expression language: parse, check against a schema, evaluate. Grammar in README.md. */
export type { BinaryOp, CmpOp, Cond, Expr, Literal, ParseError, ParseResult, Pos, YearRef } from './ast.ts';
export { type BaseOffset, type Token, type TokenKind, tokenize } from './lexer.ts';
export { FUNCTIONS, parse, type ParseOptions, RESERVED } from './parser.ts';
export { check, type CheckError, type FieldType, references, type References, type Schema } from './check.ts';
export {
  type AggregateQuery,
  type DataSource,
  type EvalContext,
  evaluate,
  evaluation,
  type IndicatorQuery,
  type ReportedQuery,
  type TraceEntry,
  type Value,
} from './evaluate.ts';
