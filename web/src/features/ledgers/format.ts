import type { Categories, FieldDecl, LedgerRecord } from '../../api.ts';
import type { I18n } from '../../i18n.ts';
import { qualified } from '../../../../src/domain/format.ts';
import { fenToWan } from '../../money.ts';

/** A record's field as people read it: 万元 for money, category labels, 是/否, qualifiers as written. */
export function displayValue(f: FieldDecl, r: LedgerRecord, categories: Categories, i18n: I18n): string {
  if (f.pii) return String(r[`${f.name}_masked`] ?? '');
  const v = r[f.name];
  if (v === null || v === undefined || v === '') return '';
  let s: string;
  switch (f.type) {
    case 'money': s = fenToWan(Number(v)); break;
    case 'enum': {
      const c = categories[f.categories ?? '']?.find((x) => x.value === v);
      s = c ? c[i18n.locale] : String(v);
      break;
    }
    case 'bool': s = v ? i18n.t('yes') : i18n.t('no'); break;
    case 'int':
    case 'date':
    case 'text':
    case 'code': s = String(v);
  }
  if (f.qualified) {
    // Written as the report writes it (约12, 40余, 1.2–1.5), by the same module; the column header carries the unit.
    const max = r[`${f.name}_max`];
    const q = String(r[`${f.name}_qual`] ?? 'exact');
    const upper = max !== null && max !== undefined ? (f.type === 'money' ? fenToWan(Number(max)) : String(max)) : undefined;
    s = qualified(s, q, '', { ...(upper ? { max: upper } : {}), locale: i18n.locale });
  }
  return s;
}
