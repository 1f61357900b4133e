import { z } from 'zod';
import { validateCreditCode, validateResidentId } from '../ids.ts';
import { QUALIFIERS, type FieldDecl, type LedgerDecl } from './types.ts';

export interface CategoryItem {
  value: string;
  zh: string;
  en: string;
  /** Other names people write for the same category (协作地 for 东部协作地); read on import, never printed. */
  aliases?: readonly string[];
  /** A value no longer offered for new input; records that hold it keep their label. */
  retired?: boolean;
}
export type Categories = Record<string, readonly CategoryItem[]>;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(s: string): boolean {
  if (!ISO_DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

const msg = (zh: string, en: string) => `${zh} / ${en}`;

function fieldSchema(f: FieldDecl, categories: Categories): z.ZodType {
  switch (f.type) {
    case 'text': {
      let s = z.string().trim().max(f.maxLength ?? 2000, msg(`不能超过${f.maxLength ?? 2000}字`, 'too long'));
      if (f.required) s = s.min(1, msg('必填', 'required'));
      if (f.creditCode)
        return s.superRefine((v, ctx) => {
          if (!v) return;
          const r = validateCreditCode(v);
          if (!r.ok) ctx.addIssue({ code: 'custom', message: msg(r.reasonZh, r.reason) });
        });
      if (f.pii === 'resident_id')
        return s.superRefine((v, ctx) => {
          const r = validateResidentId(v);
          if (!r.ok) ctx.addIssue({ code: 'custom', message: msg(r.reasonZh, r.reason) });
        });
      return s;
    }
    case 'int':
    case 'money': {
      const unit = f.type === 'money' ? '（分）' : '';
      let n = z
        .number({ message: msg(`应为整数${unit}`, 'must be a whole number') })
        .int(msg(`应为整数${unit}`, 'must be a whole number'))
        .min(f.min ?? 0, msg(`不能小于${f.min ?? 0}`, `must be at least ${f.min ?? 0}`))
        .max(Number.MAX_SAFE_INTEGER, msg('数值过大', 'too large'));
      if (f.max !== undefined) n = n.max(f.max, msg(`不能大于${f.max}`, `must be at most ${f.max}`));
      return n;
    }
    case 'date':
      return z.string().refine(isIsoDate, msg('日期应为YYYY-MM-DD', 'date must be YYYY-MM-DD'));
    case 'enum': {
      const list = (categories[f.categories ?? ''] ?? []).filter((c) => !c.retired);
      const values = list.map((c) => c.value);
      return z.string().refine((v) => values.includes(v), {
        message: msg(`应为：${list.map((c) => c.zh).join('、')}`, `must be one of ${values.join(', ')}`),
      });
    }
    case 'bool':
      return z.boolean({ message: msg('应为是或否', 'must be true or false') });
    case 'code':
      return z.string().regex(/^\d{2,12}$/, msg('区划代码应为2–12位数字', 'division code must be 2–12 digits'));
  }
}

/**
 * The zod schema for one ledger's record input: money in integer 分, dates as YYYY-MM-DD, enums as
 * codes from the year's category lists. Optional fields accept null. Never throws while parsing;
 * `safeParse` reports each failing field with a bilingual message "中文 / English".
 */
export function recordSchema(decl: LedgerDecl, categories: Categories) {
  const shape: Record<string, z.ZodType> = {};
  for (const f of decl.fields) {
    const base = fieldSchema(f, categories);
    shape[f.name] = f.required ? base : base.nullable().optional();
    if (f.qualified) {
      shape[`${f.name}_qual`] = z.enum(QUALIFIERS as [string, ...string[]]).optional();
      shape[`${f.name}_max`] = (fieldSchema({ ...f, required: false }, categories) as z.ZodType).nullable().optional();
    }
  }
  shape.note = z.string().max(2000).nullable().optional();
  return z.object(shape).strict().superRefine((r: Record<string, unknown>, ctx) => {
    for (const f of decl.fields.filter((x) => x.qualified)) {
      const q = r[`${f.name}_qual`];
      const max = r[`${f.name}_max`];
      if (q === 'range' && (typeof max !== 'number' || typeof r[f.name] !== 'number' || max < (r[f.name] as number)))
        ctx.addIssue({ code: 'custom', path: [`${f.name}_max`], message: msg('区间上限须不小于下限', 'a range needs an upper bound not below the value') });
      if (q !== 'range' && max != null)
        ctx.addIssue({ code: 'custom', path: [`${f.name}_max`], message: msg('仅区间值可填上限', 'only a range has an upper bound') });
    }
    for (const p of decl.check?.(r) ?? []) ctx.addIssue({ code: 'custom', path: [p.field], message: msg(p.zh, p.en) });
  });
}

export interface FieldProblem {
  field: string;
  zh: string;
  en: string;
}

/** Splits zod issues into per-field bilingual problems. */
export function problemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.map((i) => {
    const [zh, en] = i.message.includes(' / ') ? i.message.split(' / ', 2) : [i.message, i.message];
    return { field: String(i.path[0] ?? ''), zh: zh!, en: en! };
  });
}
