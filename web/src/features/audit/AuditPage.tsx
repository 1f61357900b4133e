import { Button, Card, Form, Input, Select, Table, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, type AuditEntry, qs } from '../../api.ts';
import { useApp } from '../../context.ts';
import { showError } from '../../errors.tsx';
import { useI18n } from '../../i18n.ts';

/** Keys whose value differs between before and after, for the compact change column. */
function changes(before: unknown, after: unknown): Array<[string, unknown, unknown]> {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  if (typeof b !== 'object' || typeof a !== 'object') return [['', before, after]];
  const skip = new Set(['version', 'updated_at', 'created_at', 'id', 'county_code', 'year']);
  return [...new Set([...Object.keys(b), ...Object.keys(a)])]
    .filter((k) => !skip.has(k) && JSON.stringify(b[k]) !== JSON.stringify(a[k]))
    .map((k) => [k, b[k], a[k]]);
}

const show = (v: unknown) => (v === undefined || v === null ? '∅' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function AuditPage() {
  const i18n = useI18n();
  const { t, L } = i18n;
  const { county, year, meta, version } = useApp();
  const [rows, setRows] = useState<AuditEntry[]>([]);
  const [total, setTotal] = useState(0);
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const [filters, setFilters] = useState<{ actor?: string; entity?: string; action?: string }>({});

  const load = useCallback(() => {
    api.get<{ rows: AuditEntry[]; total: number }>(`/api/audit${qs({ county, year, ...filters, offset: (page.current - 1) * page.pageSize, limit: page.pageSize })}`)
      .then((r) => { setRows(r.rows); setTotal(r.total); }, (e) => showError(e, i18n));
  }, [county, year, filters, page]);
  useEffect(load, [load, version]);

  const entityLabel = (e: string) => {
    const l = meta.ledgers.find((x) => x.kind === e);
    return l ? L(l.label) : e;
  };

  return (
    <Card title={t('audit')} data-testid="audit">
      <Form layout="inline" style={{ marginBottom: 12 }} onFinish={(v: typeof filters) => { setPage((p) => ({ ...p, current: 1 })); setFilters(Object.fromEntries(Object.entries(v).filter(([, x]) => x))); }}>
        <Form.Item name="actor" label={t('actor')}><Input allowClear style={{ width: 140 }} /></Form.Item>
        <Form.Item name="entity" label={t('entity')}>
          <Select allowClear style={{ width: 180 }} options={[
            ...meta.ledgers.map((l) => ({ value: l.kind, label: L(l.label) })),
            { value: 'ledger_state', label: t('workflow') }, { value: 'target', label: t('target') }, { value: 'evidence', label: t('evidence') },
          ]} />
        </Form.Item>
        <Form.Item name="action" label={t('action')}>
          <Select allowClear style={{ width: 150 }} options={['create', 'update', 'delete', 'import', 'workflow', 'target', 'evidence'].map((a) => ({ value: a, label: a }))} />
        </Form.Item>
        <Form.Item><Button htmlType="submit" type="primary" ghost>{t('search')}</Button></Form.Item>
      </Form>
      <Table<AuditEntry> rowKey="id" size="small" dataSource={rows} data-testid="audit-table"
        pagination={{ ...page, total, showTotal: (n) => t('total', { n }) }}
        onChange={(p) => setPage({ current: p.current ?? 1, pageSize: p.pageSize ?? 20 })}
        columns={[
          { title: t('updatedAt'), dataIndex: 'at', width: 170, render: (x: string) => x.slice(0, 19).replace('T', ' ') },
          { title: t('actor'), dataIndex: 'actor', width: 130 },
          { title: t('action'), dataIndex: 'action', width: 140 },
          { title: t('entity'), key: 'entity', render: (_, r) => `${entityLabel(r.entity)}${r.entityId ? ` #${r.entityId}` : ''}` },
          {
            title: `${t('before')} → ${t('after')}`, key: 'diff', render: (_, r) => (
              <div style={{ maxWidth: 520 }}>
                {changes(r.before, r.after).slice(0, 6).map(([k, b, a]) => (
                  <div key={k}><Typography.Text code>{k}</Typography.Text> <Typography.Text delete type="secondary">{show(b)}</Typography.Text> → <Typography.Text>{show(a)}</Typography.Text></div>
                ))}
              </div>
            ),
          },
        ]} />
    </Card>
  );
}
