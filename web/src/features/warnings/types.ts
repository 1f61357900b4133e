import type { Label } from '../../api.ts';

/** The shapes of GET /api/warnings/:unit. */
export interface PaceView {
  indicator: string; label: Label; target: { op: string; display: string; displayEn: string; orgCode: string };
  yearStatus: string; method: string; methodText: Label; toDate: string | null; toDateEn: string | null;
  projection: string | null; projectionEn: string | null; reachDate: string | null; reached: boolean;
  gap: string | null; gapEn: string | null; gapShare: number | null; onTrack: boolean | null; undatedRecords: number;
}
export interface WarningRecord { ledger: string; ledgerLabel: Label; id: number; title: string; date: string | null }
export interface WarningView {
  key: string; rule: string; kind: string; severity: 'high' | 'medium' | 'low'; county: string; indicator?: string;
  title: Label; detail: Label; records: WarningRecord[]; ack?: { note: string; by: string; at: string; version: number };
}
export interface CountyWarnings { code: string; name: string; pace: PaceView[]; warnings: WarningView[]; behind: number; rank: number }
export interface WarningsReport { unit: string; unitName: string; year: number; asOf: string; rules: string[]; counties: CountyWarnings[] }

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
