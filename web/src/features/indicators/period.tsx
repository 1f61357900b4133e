import { Alert, Select, Space, Tag, Tooltip, Typography } from 'antd';
import type { Indicator, IndicatorsAndRules } from '../../api.ts';
import { type I18n, type Locale, wordsOf } from '../../i18n.ts';

/** Words of the period selector and of figures to date ([zh, en]). */
const WORDS = {
  period: ['期间', 'Period'],
  wholeYear: ['全年', 'Whole year'],
  quarterEnd: ['{n}季度末', 'To the end of Q{n}'],
  firstMonth: ['1月', 'January'],
  months: ['1—{n}月', 'January–{m}'],
  toDate: ['截至期末', 'To date'],
  toDay: ['截至{d}', 'to {d}'],
  undatedShort: ['{n}条未填日期', '{n} undated'],
  banner: ['以下为{p}（截至{d}）的累计数；目标为全年目标，期中数不判定是否达标。', 'Figures {p} ({d}), added up from 1 January; targets are the whole year\'s, and a part of the year is not judged against them.'],
  bannerUndated: ['有{n}条台账记录未填日期，无法计入期中数（见各指标说明）。', '{n} ledger records carry no date and cannot be counted in a figure to date (see the indicators).'],
  ofTarget: ['全年目标的{s}%', '{s}% of the year\'s target'],
  elapsed: ['时间进度{s}%', '{s}% of the year elapsed'],
} as const;
const words = wordsOf(WORDS);

const QUARTER_ZH = ['一', '二', '三', '四'];
const MONTH_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** The periods offered: the whole year, the end of each quarter, and January to the end of each month. */
export function periodOptions(locale: Locale): Array<{ value: string; label: string }> {
  const w = words(locale);
  return [
    { value: 'year', label: w('wholeYear') },
    ...[1, 2, 3, 4].map((n) => ({ value: `Q${n}`, label: w('quarterEnd', { n: locale === 'zh' ? QUARTER_ZH[n - 1]! : n }) })),
    ...Array.from({ length: 12 }, (_, i) => i + 1).map((n) => ({
      value: `M${String(n).padStart(2, '0')}`,
      label: n === 1 ? w('firstMonth') : w('months', { n, m: MONTH_EN[n - 1]! }),
    })),
  ];
}

/** The query string of a period for the indicators and dashboard routes ('' for the whole year). */
export const periodQuery = (p: string) => (p === 'year' ? '' : `?period=${encodeURIComponent(p)}`);

/** The period selector: 全年 / 一季度末 … / 1—n月. */
export function PeriodSelect({ value, onChange, i18n }: { value: string; onChange: (p: string) => void; i18n: I18n }) {
  const w = words(i18n.locale);
  return (
    <Space size={4}>
      <Typography.Text type="secondary">{w('period')}</Typography.Text>
      <Select size="small" value={value} onChange={onChange} options={periodOptions(i18n.locale)} style={{ width: 150 }}
        popupMatchSelectWidth={false} data-testid="period-select" aria-label={w('period')} />
    </Space>
  );
}

/** Above the figures of a period to date: what they are, and how many undated records are left out. */
export function PeriodBanner({ data, i18n }: { data?: Pick<IndicatorsAndRules, 'period' | 'indicators'>; i18n: I18n }) {
  const p = data?.period;
  if (!p) return null;
  const w = words(i18n.locale);
  // Per ledger the most any indicator left out: the same records are read by several indicators.
  const byLedger = new Map<string, number>();
  for (const r of data.indicators) for (const [l, n] of Object.entries(r.toDate?.byLedger ?? {})) byLedger.set(l, Math.max(byLedger.get(l) ?? 0, n));
  const undated = [...byLedger.values()].reduce((a, n) => a + n, 0);
  return (
    <Alert type="info" showIcon style={{ marginBottom: 16 }} data-testid="period-banner"
      title={w('banner', { p: i18n.L(p.label), d: p.end })}
      description={undated > 0 ? <span data-testid="period-undated">{w('bannerUndated', { n: undated })}</span> : undefined} />
  );
}

/** The tag of a figure to date. */
export function ToDateTag({ i18n }: { i18n: I18n }) {
  return <Tag color="processing">{words(i18n.locale)('toDate')}</Tag>;
}

/**
 * Under a figure to date, in short lines that do not wrap: its end day, the share of the year's target
 * reached, and how many undated records it left out (the full sentence on hover).
 */
export function ToDateNote({ r, i18n }: { r: Indicator; i18n: I18n }) {
  const d = r.toDate;
  if (!d) return null;
  const w = words(i18n.locale);
  const line = { whiteSpace: 'nowrap' } as const;
  return (
    <div style={{ fontSize: 12, color: '#888', lineHeight: 1.4 }} data-testid={`todate-${r.id}`}>
      <div style={line}>{w('toDay', { d: d.end })}</div>
      {d.ofTarget && <div style={line}>{w('ofTarget', { s: d.ofTarget })}</div>}
      {d.note && (
        <Tooltip title={i18n.L(d.note)}>
          <div style={{ ...line, color: '#d46b08' }} data-testid={`undated-${r.id}`} aria-label={i18n.L(d.note)}>{w('undatedShort', { n: d.undated })}</div>
        </Tooltip>
      )}
    </div>
  );
}

/** The word for the to-date status, for filters. */
export const toDateWord = (locale: Locale) => words(locale)('toDate');
