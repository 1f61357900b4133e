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
