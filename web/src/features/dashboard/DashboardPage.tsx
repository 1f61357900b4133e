import { Alert, Card, Col, Row, Spin, Statistic, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { api, type Dashboard, type Indicator } from '../../api.ts';
import { useApp } from '../../context.ts';
import { showError } from '../../errors.tsx';
import { useI18n } from '../../i18n.ts';
import { navigate } from '../../router.ts';
import { IndicatorTable } from '../indicators/IndicatorTable.tsx';
import { PeriodBanner, periodQuery, PeriodSelect, ToDateNote } from '../indicators/period.tsx';
import { figure, partLabel, targetText } from '../indicators/show.ts';
import { Chart } from './Chart.tsx';
import { RankingCard, type RankingChoice } from './RankingCard.tsx';


const HEADLINE = ['funds.allocated', 'funds.disbursed', 'funds.disbursement_rate', 'projects.completion_rate', 'labour.transferred', 'consumption.sales', 'pairings.total', 'talent.west_to_east_rate'];

export function DashboardPage() {
  const i18n = useI18n();
  const { t, L } = i18n;
  const { county, year, version, session } = useApp();
  const [data, setData] = useState<Dashboard>();
  const [period, setPeriod] = useState('year');
  const [rankBy, setRankBy] = useState<RankingChoice>({ by: 'targets', order: 'desc' });
  const wide = ['province_user', 'east_user', 'admin'].includes(session.user.role);

  useEffect(() => {
    setData(undefined);
    api.get<Dashboard>(`/api/dashboard/${county}/${year}${periodQuery(period)}`).then(setData, (e) => showError(e, i18n));
  }, [county, year, version, period]);

  const by = useMemo(() => new Map((data?.indicators ?? []).map((r) => [r.id, r])), [data]);
  if (!data) return <Spin style={{ width: '100%', marginTop: 80 }} />;

  const get = (id: string) => by.get(id);
  const bar = (labels: string[], series: Array<{ name: string; data: Array<number | null> }>, unit: string) => ({
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${v ?? '—'} ${unit}` },
    legend: series.length > 1 ? { top: 0 } : undefined,
    grid: { left: 60, right: 16, top: series.length > 1 ? 32 : 16, bottom: 60 },
    xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, rotate: labels.length > 4 || labels.some((l) => l.length > 8) ? 20 : 0, width: 110, overflow: 'truncate' } },
    yAxis: { type: 'value', name: unit },
    series: series.map((s) => ({
      type: 'bar', name: s.name, data: s.data, barMaxWidth: 36, barGap: '20%',
      // Bar tops carry a rounded figure (the tooltip has the exact one) so that neighbouring labels do not run into each other.
      label: { show: true, position: 'top', fontSize: 11, formatter: (p: { value: number | null }) => barLabel(p.value) },
    })),
    labelLayout: { hideOverlap: true },
  });
  const parts = (ind?: Indicator) => (ind?.breakdown ?? []).filter((b) => b.raw !== null).map((b) => ({ name: partLabel(b, i18n), value: b.raw }));
  const pie = (ind?: Indicator) => ({
    tooltip: { trigger: 'item' },
    // Every part is named in the legend with its figure (wrapping onto more lines, never paged); the slices carry the figure only.
    legend: {
      bottom: 0, left: 'center', type: 'plain', itemWidth: 12, itemHeight: 10, itemGap: 10, textStyle: { fontSize: 12 },
      formatter: (name: string) => { const v = parts(ind).find((p) => p.name === name)?.value; return v === undefined ? name : `${name} ${v}`; },
    },
    series: [{
      type: 'pie', radius: ['30%', '56%'], center: ['50%', '38%'],
      data: parts(ind),
      label: { formatter: '{c}', fontSize: 11 }, labelLine: { length: 6, length2: 6 },
    }],
  });

  const funds = get('funds.by_category');
  const disbByCat = get('funds.disbursed_by_category');
  const disbursedTotal = get('funds.disbursed');
  // Disbursement by category exists only where disbursement records carry their category; otherwise
  // the disbursed figure is a total (often a reported value) and is shown only against the allocation total.
  const perCategory = disbByCat?.source === 'records' && hasBreakdown(disbByCat);
  const keys = [...(funds?.breakdown ?? []).map((b) => ({ key: b.key, label: partLabel(b, i18n) }))];
  if (perCategory) for (const b of disbByCat.breakdown ?? []) if (!keys.some((k) => k.key === b.key)) keys.push({ key: b.key, label: partLabel(b, i18n) });
  const rawOf = (ind: Indicator | undefined, key: string) => ind?.breakdown?.find((b) => b.key === key)?.raw ?? null;
  const fundsOption = bar(
    [...keys.map((k) => k.label), locale(i18n.locale, '合计', 'Total')],
    [
      { name: t('allocated'), data: [...keys.map((k) => rawOf(funds, k.key)), get('funds.allocated')?.raw ?? null] },
      { name: t('disbursed'), data: [...keys.map((k) => (perCategory ? rawOf(disbByCat, k.key) : null)), disbursedTotal?.raw ?? null] },
    ], t('wan'));
  // The note names the disbursed total only when there is one.
  const total = figure(disbursedTotal, i18n);
  const fundsNote = get('funds.disbursed_by_category')?.partial
    ? total ? t('fundsPartialLedger', { d: total }) : t('fundsPartialLedgerNoTotal')
    : !perCategory
    ? total ? t('fundsNoCategoryRecords', { d: total, s: disbursedTotal?.source === 'reported' ? t('fromReported') : t('fromRecords') }) : t('fundsNoCategoryRecordsNoTotal')
    : disbursedTotal?.source === 'reported' && total ? t('fundsPartialCategoryRecords', { d: total }) : null;
  const projects = ['projects.planned', 'projects.started', 'projects.completed'].map(get);
  const talent = ['talent.west_to_east_planned', 'talent.west_to_east_sent'].map(get);
  const consumption = get('consumption.by_channel');
  const failing = data.rules.filter((r) => r.ok === false);

  return (
    <div data-testid="dashboard">
      <div style={{ display: 'flex', justifyContent: 'flex-end', marginBottom: 12 }}>
        <PeriodSelect value={period} onChange={setPeriod} i18n={i18n} />
      </div>
      <PeriodBanner data={data} i18n={i18n} />
      {wide && <RankingCard year={year} period={period} periodQuery={periodQuery(period)} periodLabel={data.period ? L(data.period.label) : null} indicators={data.indicators} choice={rankBy} onChoice={setRankBy} />}
      {failing.length > 0 && (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={`${t('rules')}：${failing.map((r) => L(r.label)).join('；')}`}
          action={<a onClick={() => navigate('/indicators')}>{t('indicators')}</a>} />
      )}
      <Row gutter={[16, 16]}>
        {HEADLINE.map((id) => {
          const r = get(id);
          if (!r) return null;
          return (
            <Col key={id} xs={12} md={6}>
              <Card size="small" data-testid={`card-${id}`}>
                <Statistic title={L(r.label)} value={figure(r, i18n) ?? '—'}
                  valueStyle={{ fontSize: 22, color: r.status === 'missed' ? '#cf1322' : r.status === 'met' ? '#389e0d' : undefined }} />
                {r.target && <Tag style={{ marginTop: 4 }} color={r.status === 'met' ? 'success' : r.status === 'missed' ? 'error' : 'default'}>{t('target')} {targetText(r, i18n)}</Tag>}
                <ToDateNote r={r} i18n={i18n} />
              </Card>
            </Col>
          );
        })}
        <Col xs={24} lg={12}><Card size="small" title={t('fundsByCategory')}>
          <Chart testId="chart-funds" option={fundsOption} />
          {fundsNote && <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="funds-note">{fundsNote}</Typography.Text>}
        </Card></Col>
        <Col xs={24} lg={12}><Card size="small" title={t('projectsByStatus')}>
          <Chart testId="chart-projects" option={bar(projects.map((p) => (p ? L(p.label) : '')), [{ name: '', data: projects.map((p) => p?.raw ?? null) }], locale(i18n.locale, '个', 'items'))} />
        </Card></Col>
        <Col xs={24} lg={8}><Card size="small" title={t('labourByDestination')}><Chart testId="chart-labour" height={300} option={pie(get('labour.by_destination'))} empty={!hasBreakdown(get('labour.by_destination'))} /></Card></Col>
        <Col xs={24} lg={8}><Card size="small" title={t('pairingsByType')}><Chart testId="chart-pairings" height={300} option={pie(get('pairings.by_type'))} empty={!hasBreakdown(get('pairings.by_type'))} /></Card></Col>
        <Col xs={24} lg={8}><Card size="small" title={t('consumptionByChannel')}>
          <Chart testId="chart-consumption" empty={!hasBreakdown(consumption)} option={bar((consumption?.breakdown ?? []).map((b) => partLabel(b, i18n)), [{ name: '', data: (consumption?.breakdown ?? []).map((b) => b.raw) }], t('wan'))} />
        </Card></Col>
        <Col xs={24} lg={8}><Card size="small" title={t('talentVsPlan')}>
          <Chart testId="chart-talent" option={bar(talent.map((p) => (p ? L(p.label) : '')), [{ name: '', data: talent.map((p) => p?.raw ?? null) }], locale(i18n.locale, '人', 'people'))} />
        </Card></Col>
        <Col xs={24} lg={16}><Card size="small" title={t('indicatorTable')}>
          <IndicatorTable rows={data.indicators.filter((r) => r.status !== 'no_target' || HEADLINE.includes(r.id))} pageSize={8} />
        </Card></Col>
      </Row>
    </div>
  );
}

/** A bar-top figure: whole numbers from 100 up, otherwise at most two decimals. */
function barLabel(v: number | null): string {
  if (v === null || v === undefined) return '';
  return Math.abs(v) >= 100 ? String(Math.round(v)) : String(Math.round(v * 100) / 100);
}

function hasBreakdown(i?: Indicator): boolean {
  return (i?.breakdown ?? []).some((b) => b.raw !== null);
}

function locale(l: string, zh: string, en: string) {
  return l === 'zh' ? zh : en;
}
