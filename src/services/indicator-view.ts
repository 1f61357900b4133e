/**
 * What the API shows of indicator results: everything but the exact values and the evaluation
 * trace, which stay on the server. Shared by the routes and the thread that computes roll-ups.
 */
import type { Indicator } from '../api/contract.ts';
import type { Catalogue } from './catalogue.ts';
import type { IndicatorResult, RuleResult } from './indicators.ts';

/**
 * An indicator result without its exact values and evaluation trace, which stay on the server. A figure
 * that turned out to read only reported values names the catalogue's formula when the indicator has no
 * reported formula of its own, so that `formula` is always there.
 */
export function publicIndicator(r: IndicatorResult, cat: Catalogue): Indicator {
  const { trace: _t, exact: _e, exactBreakdown: _b, rolledUp, ...rest } = r;
  const def = cat.byId.get(r.id);
  return {
    ...rest, formula: r.formula ?? def?.formula ?? '',
    ...(def?.own && { own: true }),
    ...(rolledUp !== undefined ? { rolledUp: rolledUp ? { display: rolledUp.display, displayEn: rolledUp.displayEn, parts: rolledUp.parts, level: rolledUp.level, counties: rolledUp.counties } : null } : {}),
  } as Indicator;
}

/** The JSON text of indicators and rules as the API answers them: `"indicators":[…],"rules":[…]` (the inside of an object). */
export function indicatorsJson(r: { indicators: readonly IndicatorResult[]; rules: readonly RuleResult[] }, cat: Catalogue): string {
  return `"indicators":${JSON.stringify(r.indicators.map((i) => publicIndicator(i, cat)))},"rules":${JSON.stringify(r.rules)}`;
}
