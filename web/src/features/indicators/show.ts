import type { Indicator } from '../../api.ts';
import type { I18n } from '../../i18n.ts';

/** An indicator's figure in the page's language ("40余家" / "over 40 enterprises"). */
export function figure(r: Indicator | undefined, i18n: I18n): string | null {
  if (!r) return null;
  return i18n.locale === 'en' ? r.displayEn ?? r.display : r.display;
}

/** The target in the page's language. */
export function targetText(r: Indicator | undefined, i18n: I18n): string | null {
  const t = r?.target;
  if (!t) return null;
  return i18n.locale === 'en' ? t.displayEn ?? t.display : t.display;
}

type Part = NonNullable<Indicator['breakdown']>[number];
/** A breakdown entry's label in the page's language. */
export function partLabel(b: Part, i18n: I18n): string {
  return i18n.locale === 'en' ? b.labelEn ?? b.label : b.label;
}

/** What a roll-up's parts add up to, beside its own stated figure: "所辖3个市州合计…" / "3 prefectures add up to …". */
export function rolledUpText(r: NonNullable<Indicator['rolledUp']>, locale: I18n['locale']): string {
  const n = r.parts;
  if (locale === 'en') {
    const word = r.level === 'province' ? `province${n === 1 ? '' : 's'}` : r.level === 'prefecture' ? `prefecture${n === 1 ? '' : 's'}` : `count${n === 1 ? 'y' : 'ies'}`;
    return `${n} ${word} add up to ${r.displayEn}${r.level === 'county' ? '' : ` (${r.counties} counties with data)`}`;
  }
  const word = r.level === 'province' ? `${n}个省份` : r.level === 'prefecture' ? `所辖${n}个市州` : `所辖${n}县`;
  return `${word}合计${r.display}${r.level === 'county' ? '' : `（含${r.counties}个有数据的县）`}`;
}
