import type { Categories, FieldDecl, LedgerRecord } from '../../api.ts';
import type { I18n } from '../../i18n.ts';
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
    const q = r[`${f.name}_qual`];
    const max = r[`${f.name}_max`];
    if (q === 'about') s = `${i18n.locale === 'zh' ? '约' : '~'}${s}`;
    else if (q === 'over') s = `${s}${i18n.locale === 'zh' ? '余' : '+'}`;
    else if (q === 'range' && max !== null && max !== undefined) s = `${s}–${f.type === 'money' ? fenToWan(Number(max)) : String(max)}`;
  }
  return s;
}
