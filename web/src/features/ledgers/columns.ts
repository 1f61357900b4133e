import type { FieldDecl, LedgerDecl } from '../../api.ts';

/** How many fields a ledger table shows before the user picks more. */
export const DEFAULT_COLUMNS = 8;

const LONG_TEXT = 300;

/**
 * Rank of a field for the table: the record's name first, then what must be filled in, amounts,
 * categories and statuses, dates and counts; free text, codes, personal data and long text last.
 */
function rank(decl: LedgerDecl, f: FieldDecl): number {
  if (f.name === decl.titleField) return 0;
  const long = f.type === 'text' && (f.maxLength ?? 0) > LONG_TEXT;
  if (f.pii) return 9;
  if (long) return 10;
  if (f.required) return f.name === 'status' ? 1 : 2;
  switch (f.type) {
    case 'money': return 3;
    case 'enum': return f.name === 'status' ? 1 : 4;
    case 'date': return 5;
    case 'int': return 6;
    case 'text': return 7;
    case 'bool': return 8;
    case 'code': return 9;
  }
}

/** The fields shown by default, in the declaration's order. */
export function defaultColumns(decl: LedgerDecl): string[] {
  const ranked = decl.fields.map((f, i) => ({ f, i, r: rank(decl, f) })).sort((a, b) => a.r - b.r || a.i - b.i).slice(0, DEFAULT_COLUMNS);
  const keep = new Set(ranked.map((x) => x.f.name));
  return decl.fields.filter((f) => keep.has(f.name)).map((f) => f.name);
}

/** Rough pixel width of a header at 14px, plus room for the sort arrows. */
function headerWidth(title: string): number {
  let w = 0;
  for (const ch of title) w += /[\u2E80-\uFFEF]/.test(ch) ? 14 : 8;
  return w + 44;
}

/** A column width that fits the field's usual content and its whole header; long text is cut with an ellipsis. */
export function columnWidth(decl: LedgerDecl, f: FieldDecl, title: string): number {
  return Math.max(contentWidth(decl, f), headerWidth(title));
}

function contentWidth(decl: LedgerDecl, f: FieldDecl): number {
  if (f.name === decl.titleField && f.type === 'text') return 260;
  switch (f.type) {
    case 'date': return 116;
    case 'money': return f.qualified ? 150 : 130;
    case 'int': return 110;
    case 'bool': return 96;
    case 'enum': return 130;
    case 'code': return 140;
    case 'text': return (f.maxLength ?? 0) > LONG_TEXT ? 260 : (f.maxLength ?? 100) > 100 ? 200 : 150;
  }
}
