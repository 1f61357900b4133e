import type { Cond, Expr } from '../domain/expr/ast.ts';
import { parse } from '../domain/expr/parser.ts';
import { ledgerDecl } from '../domain/ledgers/declarations.ts';

/** Names for what a formula reads; anything unnamed is described generically, never by its key. */
export interface MethodNames {
  /** The label of an indicator a formula refers to (`ref(…)`). */
  indicator?: (id: string) => string | undefined;
}

type Locale = 'zh-CN' | 'en';

const W = {
  'zh-CN': {
    records: (l: string) => `台账“${l}”的记录条数`, some: (l: string) => `台账“${l}”中符合条件的记录条数`,
    total: (l: string, f: string) => `台账“${l}”中“${f}”的合计`, someTotal: (l: string, f: string) => `台账“${l}”中符合条件记录的“${f}”合计`,
    byCat: (l: string) => `${l}，按类别分列`,
    value: '上报值', part: '上报值（其中一类）', values: '各类上报值之和', valuesBy: '按类别列出的上报值',
    prevYear: (n: number) => `${n}年前的`, ref: (l: string) => `指标“${l}”`, otherIndicator: '另一项指标',
    year: '考核年度', min: '取较小者：', max: '取较大者：', coalesce: '有则取前者，否则取：', sep: '、',
    ledger: '台账',
  },
  en: {
    records: (l: string) => `number of records in the ${l} ledger`, some: (l: string) => `number of matching records in the ${l} ledger`,
    total: (l: string, f: string) => `total ${f} in the ${l} ledger`, someTotal: (l: string, f: string) => `total ${f} of matching records in the ${l} ledger`,
    byCat: (l: string) => `${l}, by category`,
    value: 'reported value', part: 'reported value (one category)', values: 'sum of the reported values by category', valuesBy: 'reported values by category',
    prevYear: (n: number) => `${n} year(s) earlier `, ref: (l: string) => `indicator “${l}”`, otherIndicator: 'another indicator',
    year: 'the assessment year', min: 'the smaller of ', max: 'the larger of ', coalesce: 'the first available of ', sep: ', ',
    ledger: 'ledger',
  },
} as const;

const OP: Record<'+' | '-' | '*' | '/', string> = { '+': ' + ', '-': ' − ', '*': ' × ', '/': ' ÷ ' };

/** Whether a condition is anything but trivially true (kept simple: any condition narrows the records). */
const narrows = (c: Cond | undefined) => c !== undefined;

function words(e: Expr, locale: Locale, names: MethodNames): string {
  const w = W[locale];
  const ledger = (kind: string) => {
    const d = ledgerDecl(kind);
    return d ? (locale === 'en' ? d.label.en : d.label.zh) : w.ledger;
  };
  const field = (kind: string, name: string) => {
    const f = ledgerDecl(kind)?.fields.find((x) => x.name === name);
    return f ? (locale === 'en' ? f.label.en : f.label.zh) : name;
  };
  const years = (y: { kind: 'relative'; offset: number } | { kind: 'absolute'; year: number }) =>
    y.kind === 'relative' ? (y.offset ? w.prevYear(-y.offset) : '') : locale === 'en' ? `${y.year} ` : `${y.year}年`;
  switch (e.kind) {
    case 'number': return e.text;
    case 'year': return w.year;
    case 'neg': return `−${words(e.arg, locale, names)}`;
    case 'binary': {
      // Brackets only where precedence needs them: a sum inside a product, or a sum or quotient on the right of − or ÷.
      const prec = (x: Expr) => (x.kind === 'binary' ? (x.op === '+' || x.op === '-' ? 1 : 2) : 3);
      const mine = prec(e);
      const side = (x: Expr, right: boolean) => {
        const s = words(x, locale, names);
        const p = prec(x);
        return p < mine || (right && p === mine && (e.op === '-' || e.op === '/')) ? `（${s}）` : s;
      };
      return `${side(e.left, false)}${OP[e.op]}${side(e.right, true)}`;
    }
    case 'count': {
      const s = narrows(e.where) ? w.some(ledger(e.ledger)) : w.records(ledger(e.ledger));
      return e.by ? w.byCat(s) : s;
    }
    case 'sum': {
      const s = narrows(e.where) ? w.someTotal(ledger(e.ledger), field(e.ledger, e.field)) : w.total(ledger(e.ledger), field(e.ledger, e.field));
      return e.by ? w.byCat(s) : s;
    }
    case 'value': return `${years(e.year)}${e.dim === undefined ? w.value : w.part}`;
    case 'values': return `${years(e.year)}${e.byDim ? w.valuesBy : w.values}`;
    case 'ref': {
      const l = names.indicator?.(e.id);
      return `${years(e.year)}${l ? w.ref(l) : w.otherIndicator}`;
    }
    case 'fn': return `${w[e.name]}${e.args.map((a) => words(a, locale, names)).join(w.sep)}`;
  }
}

/**
 * How a figure is computed, in words a reader of the report understands: ledgers and fields by their
 * labels, reported values as such, operators as ÷ × + −. Never shows the formula's own syntax or
 * keys; returns null when the formula does not parse (the figure's sources still say where it came from).
 */
export function methodInWords(formula: string, locale: Locale = 'zh-CN', names: MethodNames = {}): string | null {
  const r = parse(formula);
  if (!r.ok) return null;
  return words(r.ast, locale, names);
}

/** The "how computed" cell of a provenance entry: the formula in words, naming referenced indicators by their labels in the same appendix. */
export function derivationInWords(p: { formula?: string }, all: ReadonlyArray<{ indicator?: string; label: string }>, locale: Locale = 'zh-CN'): string {
  if (!p.formula) return '';
  return methodInWords(p.formula, locale, { indicator: (id) => all.find((x) => x.indicator === id)?.label }) ?? '';
}
