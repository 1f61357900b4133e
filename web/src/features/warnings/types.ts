/** The shapes of GET /api/warnings/:unit, from the server's response schema. */
export type { CountyWarnings, PaceView, WarningRecord, WarningsReport, WarningView } from '../../../../src/api/contract.ts';

/** The day warnings are looked at by default: today in the current year, the year's last day for years gone by. */
export function defaultAsOf(year: number): string {
  const today = new Date();
  const iso = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
  return year >= today.getFullYear() ? (year === today.getFullYear() ? iso : `${year}-01-01`) : `${year}-12-31`;
}

/** The unit whose counties a user oversees, when the user oversees more than one county. */
export function overseenUnit(role: string, units: string[], county: string): string | null {
  if (role === 'admin') return county.slice(0, 2);
  const u = units.find((x) => x.length < 6 && county.startsWith(x));
  return u ?? null;
}
