import { Rational } from './rational.ts';

/** How a stated figure relates to the figure computed from its parts. */
export type Agreement = 'holds' | 'holds_truncated' | 'fails';

/** Digits after the decimal point of an exact value that terminates (as stated figures do); 6 at most. */
export function statedDecimals(v: Rational): number {
  for (let k = 0; k <= 6; k++) {
    const scaled = v.mul(Rational.of(10n ** BigInt(k)));
    if (scaled.isInteger()) return k;
  }
  return 6;
}

/**
 * Whether a stated figure agrees with the figure computed from its parts, at the precision the
 * statement was written to: 5327万元 agrees with 5327.27万元, 70% with 69.77%, 20 does not with 18.
 * Both values are in the unit the figure is written in (万元 for money stated in 万元, % for rates).
 * "About" figures agree within 10%; "over" figures when the computed one is at least the stated one
 * (and under twice it); ranges when the computed one lies inside. Truncation is tried after half-up,
 * so a county that cuts off rather than rounds is told so rather than flagged.
 */
export function agreement(stated: Rational, computed: Rational, qual: string = 'exact', max?: Rational | null): Agreement {
  if (qual === 'range' && max) return computed.cmp(stated) >= 0 && computed.cmp(max) <= 0 ? 'holds' : 'fails';
  if (qual === 'about') return computed.sub(stated).abs().cmp(stated.abs().mul(Rational.ratio(1n, 10n))) <= 0 ? 'holds' : 'fails';
  if (qual === 'over') return computed.cmp(stated) >= 0 && computed.cmp(stated.mul(Rational.of(2))) <= 0 ? 'holds' : 'fails';
  const k = statedDecimals(stated);
  const s = stated.toDecimalString(k);
  if (computed.toDecimalString(k, 'half_up') === s) return 'holds';
  if (computed.toDecimalString(k, 'truncate') === s) return 'holds_truncated';
  return 'fails';
}
