import { Card, Segmented, Select, Space, Spin, Table, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api, type Indicator, type IndicatorRanking, qs, type RankedCounty as Ranked } from '../../api.ts';
import { useApp } from '../../context.ts';
import { showError } from '../../errors.tsx';
import { useI18n, wordsOf } from '../../i18n.ts';
import { useNarrow } from '../../responsive.ts';
import { StatusTag } from '../indicators/IndicatorTable.tsx';

/** Words of the ranking card ([zh, en]). */
const WORDS = {
  rankBy: ['排名依据', 'Rank by'],
  byTargets: ['目标完成情况', 'Targets met'],
  highFirst: ['从高到低', 'Highest first'],
  lowFirst: ['从低到高', 'Lowest first'],
  noFigure: ['无数据的县区列在最后。', 'Counties without a figure are listed last.'],
} as const;
const words = wordsOf(WORDS);

type Row = IndicatorRanking['rows'][number];

/** What the ranking is by: 'targets' (share of targets met) or an indicator id, and its order. */
export interface RankingChoice { by: string; order: 'desc' | 'asc' }

/**
 * The counties a province, partner or national user may read, ranked: by the share of targets met
 * (or on pace, for a period to date), or by any one indicator of the dashboard, either way round.
 * The choice is held by the page, so it stays when the page reloads for another county.
 */
export function RankingCard({ year, period, periodQuery, periodLabel, indicators, choice, onChoice }: {
  year: number; period: string; periodQuery: string; periodLabel: string | null; indicators: Indicator[];
  choice: RankingChoice; onChoice: (c: RankingChoice) => void;
}) {
  const i18n = useI18n();
  const { t, L, locale } = i18n;
  const w = words(locale);
  const { county, counties, version, session, pickCounty } = useApp();
  const [overview, setOverview] = useState<Ranked[]>();
  const { by, order } = choice;
  // A province or prefecture office ranks within its unit, with the indicators that unit defined for
  // itself; others rank every county they may read by the national catalogue's indicators.
  const own = session.user.units.length === 1 && /^(\d{2}|\d{4})$/.test(session.user.units[0]!) ? session.user.units[0]! : undefined;
  const within = session.user.role === 'east_user' ? undefined : own;
  const setBy = (v: string) => onChoice({ ...choice, by: v });
  const setOrder = (v: 'desc' | 'asc') => onChoice({ ...choice, order: v });
  const [ranked, setRanked] = useState<IndicatorRanking>();
  const narrow = useNarrow();

  useEffect(() => {
    setOverview(undefined);
    api.get<Ranked[]>(`/api/overview/${year}${periodQuery}`).then(setOverview, () => setOverview([]));
  }, [year, version, period]);
  useEffect(() => {
    setRanked(undefined);
    if (by === 'targets') return;
    api.get<IndicatorRanking>(`/api/rankings/${year}/${encodeURIComponent(by)}${qs({ period: period === 'year' ? undefined : period, order, unit: within })}`)
      .then(setRanked, (e) => showError(e, i18n));
  }, [year, version, period, by, order]);

  if (!overview || overview.length === 0) return null;
  // Indicators with a single figure to rank by (not those that are only a breakdown).
  const options = indicators.filter((r) => !(r.raw === null && r.breakdown) && (!r.own || within));
  const title = `${t(session.user.role === 'east_user' ? 'rankingPaired' : 'ranking')}${periodLabel ? (locale === 'en' ? ` (${periodLabel})` : `（${periodLabel}）`) : ''}`;
  // A county's row opens its dashboard (where it is one the user may pick).
  const listed = new Set(counties.map((c) => c.code));
  const highlight = (code: string) => ({
    style: { background: code === county ? '#e6f4ff' : undefined, cursor: listed.has(code) && code !== county ? 'pointer' : undefined },
    onClick: () => { if (listed.has(code) && code !== county) { pickCounty(code); window.scrollTo({ top: 0 }); } },
  });

  const controls = (
    <Space wrap size={8} style={narrow ? { marginBottom: 12 } : undefined}>
      <Select size="small" value={by} onChange={setBy} showSearch optionFilterProp="label" style={{ minWidth: 180, maxWidth: narrow ? '100%' : 320 }}
        aria-label={w('rankBy')} data-testid="ranking-by" popupMatchSelectWidth={false}
        options={[{ value: 'targets', label: w('byTargets') }, ...options.map((r) => ({ value: r.id, label: L(r.label) }))]} />
      {by !== 'targets' && (
        <Segmented size="small" value={order} onChange={(v) => setOrder(v as 'desc' | 'asc')} data-testid="ranking-order"
          options={[{ value: 'desc', label: w('highFirst') }, { value: 'asc', label: w('lowFirst') }]} />
      )}
    </Space>
  );
  const figureOf = (r: Row) => <span data-testid="rank-figure">{(locale === 'en' ? r.displayEn ?? r.display : r.display) ?? '—'}</span>;

  // On a phone the choice sits above the table (beside the title it would squeeze it), and the
  // figure and its status share a column.
  return (
    <Card title={title} size="small" style={{ marginBottom: 16 }} data-testid="ranking" extra={narrow ? undefined : controls}>
      {narrow && controls}
      {by === 'targets' ? (
        <Table<Ranked> rowKey="code" size="small" pagination={false} dataSource={overview} scroll={{ x: 'max-content' }} onRow={(r) => highlight(r.code)}
          columns={[
            { title: t('rank'), dataIndex: 'rank', width: 70 },
            { title: t('county'), key: 'name', render: (_, r) => `${r.name}（${r.code}）` },
            ...(overview[0]?.paced === undefined ? [
              { title: t('metCount'), key: 'met', render: (_: unknown, r: Ranked) => `${r.met} / ${r.withTarget}` },
              { title: t('missedCount'), dataIndex: 'missed' },
            ] : [
              { title: <span title={t('paceHint')}>{t('onPaceCount')}</span>, key: 'onPace', render: (_: unknown, r: Ranked) => `${r.onPace} / ${r.paced}` },
              { title: t('behindCount'), dataIndex: 'behind' },
            ]),
            { title: t('disbursementRate'), key: 'rate', render: (_, r) => (r.disbursementRate === null ? '—' : `${r.disbursementRate.toFixed(2)}%`) },
          ]} />
      ) : !ranked ? <Spin style={{ width: '100%', margin: '24px 0' }} /> : (
        <Table<Row> rowKey="code" size="small" pagination={false} dataSource={ranked.rows} scroll={{ x: 'max-content' }} onRow={(r) => highlight(r.code)}
          data-testid="ranking-by-indicator"
          footer={ranked.rows.some((r) => r.rank === null) ? () => w('noFigure') : undefined}
          columns={narrow ? [
            { title: t('rank'), key: 'rank', width: 48, render: (_, r) => r.rank ?? '—' },
            { title: t('county'), key: 'name', render: (_, r) => <>{r.name}<br /><Typography.Text type="secondary" style={{ fontSize: 12 }}>{r.code}</Typography.Text></> },
            { title: L(ranked.indicator.label), key: 'figure', render: (_, r) => <>{figureOf(r)}<br /><StatusTag status={r.status} /></> },
          ] : [
            { title: t('rank'), key: 'rank', width: 70, render: (_, r) => r.rank ?? '—' },
            { title: t('county'), key: 'name', render: (_, r) => `${r.name}（${r.code}）` },
            { title: L(ranked.indicator.label), key: 'figure', render: (_, r) => figureOf(r) },
            { title: t('status'), key: 'status', render: (_, r) => <StatusTag status={r.status} /> },
          ]} />
      )}
    </Card>
  );
}
