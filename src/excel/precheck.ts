/**
 * A quick test, built once per ledger and category lists, that a row's input is one the ledger's
 * zod schema (`recordSchema`) accepts as it is. An import validates every row, and on a clean file
 * nearly every row is valid: for those the full object parse (which builds a new object and an
 * issue list per row) is work with a known answer.
 *
 * The guarantee is one-sided: `true` only when the schema would accept the input and return the
 * same values; `false` means "not sure", and the caller then asks the schema, whose messages are
 * the ones reported. So a rule the test does not know about can only make it answer `false` more
 * often, never let a bad row through (`test/excel/precheck.test.ts` compares both on random input).
 */
import type { Categories } from '../domain/ledgers/schema.ts';
import { validateCreditCode, validateResidentId } from '../domain/ids.ts';
import { type FieldDecl, type LedgerDecl, QUALIFIERS } from '../domain/ledgers/types.ts';

type Input = Record<string, unknown>;
type Test = (v: unknown) => boolean;

const CODE = /^\d{2,12}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A real calendar day written YYYY-MM-DD, as the schema's `isIsoDate` decides, without building a Date. */
function isCalendarDay(s: string): boolean {
  if (!ISO_DATE.test(s)) return false;
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(5, 7));
  const d = Number(s.slice(8, 10));
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && leap ? 29 : DAYS[m - 1]!);
}
const QUALIFIER_SET = new Set<unknown>(QUALIFIERS);

/** A value's test against one field's schema; null and undefined are left to the caller. */
function valueTest(f: FieldDecl, categories: Categories): Test {
  switch (f.type) {
    case 'text': {
      const max = f.maxLength ?? 2000;
      const min = f.required ? 1 : 0;
      const plain = (v: unknown): v is string => typeof v === 'string' && v.length <= max && v.length >= min && v.trim() === v;
      if (f.creditCode) return (v) => plain(v) && (v === '' || validateCreditCode(v).ok);
      if (f.pii === 'resident_id') return (v) => plain(v) && validateResidentId(v).ok;
      return plain;
    }
    case 'int':
    case 'money': {
      const min = f.min ?? 0;
      const max = f.max ?? Number.MAX_SAFE_INTEGER;
      return (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
    }
    case 'date':
      return (v) => typeof v === 'string' && isCalendarDay(v);
    case 'enum': {
      const values = new Set((categories[f.categories ?? ''] ?? []).filter((c) => !c.retired).map((c) => c.value));
      return (v) => typeof v === 'string' && values.has(v);
    }
    case 'bool':
      return (v) => typeof v === 'boolean';
    case 'code':
      return (v) => typeof v === 'string' && CODE.test(v);
  }
}

/** One key of the input: its test, whether it may be absent, and whether it may be null. */
interface Slot { key: string; test: Test; optional: boolean; nullable: boolean }

/**
 * The quick test for one ledger under the given category lists. Returns true only when
 * `recordSchema(decl, categories).safeParse(input)` succeeds with the input's own values.
 */
export function precompiledCheck(decl: LedgerDecl, categories: Categories): (input: Input) => boolean {
  const slots: Slot[] = [];
  const qualified: string[] = [];
  for (const f of decl.fields) {
    const test = valueTest(f, categories);
    slots.push({ key: f.name, test, optional: !f.required, nullable: !f.required });
    if (f.qualified) {
      qualified.push(f.name);
      slots.push({ key: `${f.name}_qual`, test: (v) => QUALIFIER_SET.has(v), optional: true, nullable: false });
      slots.push({ key: `${f.name}_max`, test: valueTest({ ...f, required: false }, categories), optional: true, nullable: true });
    }
  }
  const known = new Set(slots.map((s) => s.key));
  known.add('note');
  return (input) => {
    for (const s of slots) {
      const v = input[s.key];
      if (v === undefined) {
        if (!s.optional) return false;
        continue;
      }
      if (v === null) {
        if (!s.nullable) return false;
        continue;
      }
      if (!s.test(v)) return false;
    }
    const note = input.note;
    if (note !== undefined && note !== null && (typeof note !== 'string' || note.length > 2000)) return false;
    // The schema is strict: a key it does not know is a problem.
    for (const k in input) if (!known.has(k)) return false;
    for (const name of qualified) {
      const q = input[`${name}_qual`];
      const max = input[`${name}_max`];
      const v = input[name];
      if (q === 'range' ? typeof max !== 'number' || typeof v !== 'number' || max < v : max !== undefined && max !== null) return false;
    }
    return !decl.check || decl.check(input).length === 0;
  };
}
