import { Button, Card, Form, Input, Select, Table, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, type AuditEntry, type AuditList, type IndicatorsAndRules, qs, type ReportedList } from '../../api.ts';
import { useApp } from '../../context.ts';
import { showError } from '../../errors.tsx';
import { useI18n } from '../../i18n.ts';
import { actionLabel, actorLabel, type AuditContext, changesOf, entityLabel } from './describe.ts';

const MAX_CHANGES = 8;

type Elements = AuditContext['elements'];

export function AuditPage() {
  const i18n = useI18n();
  const { t, L } = i18n;
  const { county, year, meta, categories, version } = useApp();
  const [rows, setRows] = useState<AuditEntry[]>([]);
  const [total, setTotal] = useState(0);
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const [filters, setFilters] = useState<{ actor?: string; entity?: string; action?: string }>({});
  const [indicators, setIndicators] = useState<AuditContext['indicators']>(new Map());
  const [elements, setElements] = useState<Elements>(new Map());

  const load = useCallback(() => {
    api.get<AuditList>(`/api/audit${qs({ county, year, ...filters, offset: (page.current - 1) * page.pageSize, limit: page.pageSize })}`)
      .then((r) => { setRows(r.rows); setTotal(r.total); }, (e) => showError(e, i18n));
  }, [county, year, filters, page]);
  useEffect(load, [load, version]);

  // Names of indicators and reported elements, fetched only when the page shows entries about them.
  const needIndicators = rows.some((r) => r.entity === 'target');
  const needElements = rows.some((r) => r.entity === 'reported_value');
  useEffect(() => {
    if (!needIndicators || indicators.size) return;
    api.get<IndicatorsAndRules>(`/api/indicators/${county}/${year}`)
      .then((r) => setIndicators(new Map(r.indicators.map((x) => [x.id, { label: x.label, unit: x.unit }]))), () => undefined);
  }, [needIndicators, county, year]);
  useEffect(() => {
    if (!needElements || elements.size) return;
    api.get<ReportedList>(`/api/reported/${county}/${year}`)
      .then((r) => setElements(new Map(r.elements.map((x) => [x.id, x]))), () => undefined);
  }, [needElements, county, year]);

  const ctx: AuditContext = useMemo(() => ({ meta, categories, i18n, indicators, elements }), [meta, categories, i18n, indicators, elements]);

  return (
    <Card title={t('audit')} data-testid="audit">
      <Form layout="inline" style={{ marginBottom: 12, rowGap: 8 }} onFinish={(v: typeof filters) => { setPage((p) => ({ ...p, current: 1 })); setFilters(Object.fromEntries(Object.entries(v).filter(([, x]) => x))); }}>
        <Form.Item name="actor" label={t('actor')}><Input allowClear style={{ width: 140 }} placeholder={t('username')} /></Form.Item>
        <Form.Item name="entity" label={t('entity')}>
          <Select allowClear showSearch={{ optionFilterProp: 'label' }} style={{ width: 180 }} options={[
            ...meta.ledgers.map((l) => ({ value: l.kind, label: L(l.label) })),
            { value: 'ledger_state', label: t('workflow') }, { value: 'target', label: t('target') }, { value: 'reported_value', label: t('reported') },
            { value: 'narrative', label: t('narrative') }, { value: 'evidence', label: t('evidence') },
          ]} />
        </Form.Item>
        <Form.Item name="action" label={t('action')}>
          <Select allowClear style={{ width: 150 }} options={[
            { value: 'create', label: t('act_create') }, { value: 'update', label: t('act_update') }, { value: 'delete', label: t('act_delete') },
            { value: 'import', label: t('act_import') }, { value: 'workflow', label: t('workflow') }, { value: 'target', label: t('editTarget') },
            { value: 'evidence', label: t('evidence') },
          ]} />
        </Form.Item>
        <Form.Item><Button htmlType="submit" type="primary" ghost>{t('search')}</Button></Form.Item>
      </Form>
      <Table<AuditEntry> rowKey="id" size="small" dataSource={rows} data-testid="audit-table" tableLayout="fixed"
        pagination={{ ...page, total, showTotal: (n) => t('total', { n }) }}
        onChange={(p) => setPage({ current: p.current ?? 1, pageSize: p.pageSize ?? 20 })}
        columns={[
          { title: t('updatedAt'), dataIndex: 'at', width: 160, render: (x: string) => x.slice(0, 19).replace('T', ' ') },
          { title: t('actor'), key: 'actor', width: 170, render: (_, r) => <span title={r.actor}>{actorLabel(r, i18n)}</span> },
          { title: t('action'), key: 'action', width: 120, render: (_, r) => <span data-testid={`audit-action-${r.id}`}>{actionLabel(r.action, i18n)}</span> },
          { title: t('entity'), key: 'entity', width: 300, ellipsis: true, render: (_, r) => entityLabel(r, ctx) },
          {
            title: `${t('change')}（${t('before')} → ${t('after')}）`, key: 'diff', render: (_, r) => {
              const list = changesOf(r, ctx);
              return (
                <div data-testid={`audit-changes-${r.id}`}>
                  {list.slice(0, MAX_CHANGES).map((c) => (
                    <div key={c.key} style={{ lineHeight: 1.7 }}>
                      <Typography.Text type="secondary">{c.label}{i18n.locale === 'zh' ? '：' : ': '}</Typography.Text>
                      {r.before !== null && r.after !== null ? (
                        <><Typography.Text delete type="secondary">{c.before}</Typography.Text> → <Typography.Text strong>{c.after}</Typography.Text></>
                      ) : <Typography.Text delete={r.after === null}>{r.after === null ? c.before : c.after}</Typography.Text>}
                    </div>
                  ))}
                  {list.length > MAX_CHANGES && <Typography.Text type="secondary">{t('moreChanges', { n: list.length - MAX_CHANGES })}</Typography.Text>}
                </div>
              );
            },
          },
        ]} />
    </Card>
  );
}
