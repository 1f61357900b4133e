import { Space, Table, Tag, Tooltip } from 'antd';
import type { Indicator } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import { ToDateNote, ToDateTag, toDateWord } from './period.tsx';
import { figure, rolledUpText, targetText } from './show.ts';

export function StatusTag({ status }: { status: Indicator['status'] }) {
  const i18n = useI18n();
  const { t } = i18n;
  switch (status) {
    case 'to_date': return <ToDateTag i18n={i18n} />;
    case 'met': return <Tag color="success">{t('met')}</Tag>;
    case 'missed': return <Tag color="error">{t('missed')}</Tag>;
    case 'no_target': return <Tag>{t('noTarget')}</Tag>;
    case 'no_data': return <Tag color="warning">{t('noData')}</Tag>;
  }
}

/** Indicators with value, target and met/missed, as on the dashboard and the indicators page. */
export function IndicatorTable({ rows, extra, pageSize = 12 }: {
  rows: Indicator[]; pageSize?: number;
  extra?: { title: string; render: (r: Indicator) => React.ReactNode };
}) {
  const i18n = useI18n();
  const { t, L } = i18n;
  return (
    <Table<Indicator> rowKey="id" size="small" dataSource={rows} pagination={{ pageSize, showSizeChanger: true }} data-testid="indicator-table"
      columns={[
        // A name keeps a readable width on a phone, where the figure's notes beside it do not wrap.
        { title: t('indicator'), key: 'label', onCell: () => ({ style: { minWidth: 96 } }), render: (_, r) => <Tooltip title={r.formula}>{L(r.label)}</Tooltip> },
        {
          title: t('value'), key: 'value', align: 'right', render: (_, r) => (
            <>
              <span data-testid={`ind-${r.id}`}>{figure(r, i18n) ?? '—'}</span>
              <ToDateNote r={r} i18n={i18n} />
              {r.rolledUp && <div style={{ fontSize: 12, color: '#888' }} data-testid={`rolled-${r.id}`}>{rolledUpText(r.rolledUp, i18n.locale)}</div>}
            </>
          ),
        },
        { title: t('target'), key: 'target', render: (_, r) => targetText(r, i18n) ?? '—' },
        {
          title: t('status'), key: 'status', render: (_, r) => <StatusTag status={r.status} />,
          filters: [
            ...(['met', 'missed', 'no_target', 'no_data'] as const).map((s) => ({ text: t(s === 'met' ? 'met' : s === 'missed' ? 'missed' : s === 'no_target' ? 'noTarget' : 'noData'), value: s })),
            ...(rows.some((r) => r.status === 'to_date') ? [{ text: toDateWord(i18n.locale), value: 'to_date' }] : []),
          ],
          onFilter: (v, r) => r.status === v,
        },
        {
          title: t('source'), key: 'source', render: (_, r) => (
            <Space size={4}>
              {r.source === 'records' ? <Tag color="blue">{t('fromRecords')}</Tag> : r.source === 'reported' ? <Tag color="purple">{t('fromReported')}</Tag> : '—'}
              {r.flags.length > 0 && <Tooltip title={r.flags.map((f) => L(f)).join('；')}><Tag color="orange">{t('flags')} {r.flags.length}</Tag></Tooltip>}
            </Space>
          ),
        },
        ...(extra ? [{ title: extra.title, key: 'extra', render: (_: unknown, r: Indicator) => extra.render(r) }] : []),
      ]} />
  );
}
