import { DeleteOutlined, DownloadOutlined, EditOutlined, LockOutlined, PaperClipOutlined, PlusOutlined, ReloadOutlined, SettingOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Checkbox, Descriptions, Empty, Form, Input, Modal, Pagination, Popconfirm, Popover, Select, Space, Spin, Table, Tag, Tooltip, Typography } from 'antd';
import type { SorterResult } from 'antd/es/table/interface';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError, type LedgerRecords, type LedgerRecord, type LedgerState, qs } from '../../api.ts';
import { useApp } from '../../context.ts';
import { showError } from '../../errors.tsx';
import { useI18n } from '../../i18n.ts';
import { fenToWan } from '../../money.ts';
import { useNarrow } from '../../responsive.ts';
import { navigate } from '../../router.ts';
import { EvidenceDrawer } from '../evidence/EvidenceDrawer.tsx';
import { columnWidth, defaultColumns } from './columns.ts';
import { displayValue } from './format.ts';
import './ledger.css';
import { fromFormValues, RecordForm, toFormValues } from './RecordForm.tsx';

const STATUS_COLOR: Record<string, string> = { draft: 'default', submitted: 'processing', approved: 'success', returned: 'warning' };

export function LedgerPage({ kind }: { kind: string }) {
  const i18n = useI18n();
  const { t, L } = i18n;
  const { message, modal } = App.useApp();
  const { meta, categories, county, year, bump, version, session } = useApp();
  const narrow = useNarrow();
  const u = session.user;
  // Mirrors the server's rule so that nobody is offered an action that would be refused; the server still decides.
  const mayWrite = u.role === 'admin' || ((u.role === 'county_admin' || u.role === 'county_clerk') && u.units.some((x) => county.startsWith(x))
    && (u.role !== 'county_clerk' || !u.ledgers || u.ledgers.includes(kind)));
  const decl = meta.ledgers.find((l) => l.kind === kind);
  const [rows, setRows] = useState<LedgerRecord[]>([]);
  const [total, setTotal] = useState(0);
  // Sums of the amount and count fields over every record matching the filter (the server adds them up).
  const [totals, setTotals] = useState<Record<string, number | null>>({});
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const [sort, setSort] = useState<{ field: string; dir: 'asc' | 'desc' } | null>(null);
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [loading, setLoading] = useState(false);
  const [state, setState] = useState<LedgerState>();
  const [editing, setEditing] = useState<LedgerRecord | null | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const [evidenceFor, setEvidenceFor] = useState<LedgerRecord>();
  const [filterForm] = Form.useForm();
  const [form] = Form.useForm();
  const [shown, setShown] = useState<string[]>(() => {
    const saved = localStorage.getItem(`xz.cols.${kind}`);
    const all = decl?.fields.map((f) => f.name) ?? [];
    const picked = saved ? (JSON.parse(saved) as string[]).filter((n) => all.includes(n)) : [];
    return picked.length ? picked : decl ? defaultColumns(decl) : [];
  });
  const pickColumns = (names: string[]) => {
    if (!decl || !names.length) return;
    const ordered = decl.fields.map((f) => f.name).filter((n) => names.includes(n));
    setShown(ordered);
    localStorage.setItem(`xz.cols.${kind}`, JSON.stringify(ordered));
  };

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const q: Record<string, string | number> = { offset: (page.current - 1) * page.pageSize, limit: page.pageSize };
      if (sort) { q.sort = sort.field; q.dir = sort.dir; }
      for (const [k, v] of Object.entries(filters)) if (v !== '' && v !== undefined) q[`f.${k}`] = v;
      const r = await api.get<LedgerRecords>(`/api/ledgers/${kind}/${county}/${year}${qs(q)}`);
      setRows(r.rows);
      setTotal(r.total);
      setTotals(r.totals);
      const states = await api.get<LedgerState[]>(`/api/workflow/${county}/${year}`);
      setState(states.find((s) => s.ledger === kind));
    } catch (e) {
      showError(e, i18n);
      setRows([]);
      setTotal(0);
      setTotals({});
    } finally {
      setLoading(false);
    }
  }, [kind, county, year, page, sort, filters]);

  useEffect(() => { void load(); }, [load, version]);

  const filterFields = useMemo(() => (decl?.fields ?? []).filter((f) => !f.pii && (f.type === 'text' || f.type === 'enum' || f.type === 'bool')).slice(0, 4), [decl]);
  if (!decl) return <Alert type="error" title={`no ledger ${kind}`} />;

  const locked = state?.status === 'submitted' || state?.status === 'approved';
  const readOnly = locked || !mayWrite;
  // Why the buttons are off, in a few words, next to them.
  const whyReadOnly = !mayWrite
    ? (u.role === 'county_admin' || u.role === 'county_clerk')
      ? (u.units.some((x) => county.startsWith(x)) ? t('roNotDepartment') : t('roNotCounty'))
      : t('roAccount', { r: L(session.roleLabel) })
    : locked && state ? t('roLocked', { s: L(meta.statuses[state.status]) }) : '';

  const openEditor = (r: LedgerRecord | null) => {
    form.resetFields();
    form.setFieldsValue(toFormValues(decl, r));
    setEditing(r);
  };

  const save = async () => {
    let values: Record<string, unknown>;
    try {
      values = await form.validateFields();
    } catch (e) {
      // Long forms: bring the first field in error into view instead of leaving it below the fold.
      const first = (e as { errorFields?: Array<{ name: Array<string | number> }> }).errorFields?.[0];
      if (first) form.scrollToField(first.name, { block: 'center', behavior: 'smooth' });
      return;
    }
    const input = fromFormValues(decl, values, !!editing);
    setSaving(true);
    try {
      if (editing) await api.put(`/api/records/${kind}/${editing.id}`, { version: editing.version, values: input });
      else await api.post(`/api/ledgers/${kind}/${county}/${year}`, input);
      void message.success(t('saved'));
      setEditing(undefined);
      bump();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'CONFLICT' && editing) {
        modal.warning({
          title: t('staleTitle'), content: <span data-testid="stale-message">{L(e.msg)}</span>, okText: t('reload'),
          onOk: () => { setEditing(undefined); bump(); },
        });
      } else if (e instanceof ApiError && e.code === 'INVALID' && Array.isArray(e.details)) {
        const problems = e.details as Array<{ field: string; zh: string; en: string }>;
        form.setFields(problems.filter((p) => p.field).map((p) => ({ name: p.field, errors: [i18n.locale === 'zh' ? p.zh : p.en] })));
        const first = problems.find((p) => p.field);
        if (first) form.scrollToField(first.field, { block: 'center', behavior: 'smooth' });
        showError(e, i18n);
      } else showError(e, i18n);
    } finally {
      setSaving(false);
    }
  };

  const remove = async (r: LedgerRecord) => {
    try {
      await api.del(`/api/records/${kind}/${r.id}${qs({ version: r.version })}`);
      void message.success(t('deleted'));
      bump();
    } catch (e) { showError(e, i18n); }
  };

  const fieldColumns = decl.fields.filter((f) => shown.includes(f.name)).map((f) => {
    const title = L(f.label) + (f.type === 'money' ? `（${t('wan')}）` : '');
    const numeric = f.type === 'money' || f.type === 'int';
    return {
      title, key: f.name, width: columnWidth(decl, f, title),
      sorter: !f.pii,
      align: (numeric ? 'right' : 'left') as 'right' | 'left',
      ellipsis: { showTitle: false },
      render: (_: unknown, r: LedgerRecord) => {
        const s = displayValue(f, r, categories, i18n);
        return numeric || !s ? s : <Tooltip placement="topLeft" title={s}>{s}</Tooltip>;
      },
    };
  });
  const ACTIONS_WIDTH = 250;
  const columns = [
    ...fieldColumns,
    {
      title: t('actions'), key: '_actions', fixed: 'right' as const, width: ACTIONS_WIDTH,
      render: (_: unknown, r: LedgerRecord) => (
        <Space size={0}>
          <Button type="link" size="small" icon={<EditOutlined />} disabled={readOnly} onClick={() => openEditor(r)} data-testid={`edit-${r.id}`}>{t('edit')}</Button>
          <Popconfirm title={t('confirmDelete')} onConfirm={() => remove(r)} disabled={readOnly}>
            <Button type="link" size="small" danger icon={<DeleteOutlined />} disabled={readOnly} data-testid={`delete-${r.id}`}>{t('delete')}</Button>
          </Popconfirm>
          <Button type="link" size="small" icon={<PaperClipOutlined />} onClick={() => setEvidenceFor(r)}>{t('evidence')}</Button>
        </Space>
      ),
    },
  ];

  return (
    <Card data-testid={`ledger-${kind}`}
      title={<Space><Typography.Text strong>{L(decl.label)}</Typography.Text>{state && <Tag color={STATUS_COLOR[state.status]} data-testid="ledger-status">{L(meta.statuses[state.status])}</Tag>}{readOnly && whyReadOnly && <Tooltip title={whyReadOnly}><Tag icon={<LockOutlined />} data-testid="read-only">{t('readOnly')}：{whyReadOnly}</Tag></Tooltip>}</Space>}
      extra={<Space wrap>
        <Button icon={<ReloadOutlined />} onClick={() => void load()} />
        <Popover trigger="click" placement="bottomRight" title={t('columns')} content={
          <Checkbox.Group value={shown} onChange={(v) => pickColumns(v)} data-testid="column-picker"
            style={{ display: 'grid', gridTemplateColumns: 'repeat(2, minmax(140px, auto))', gap: 6, maxWidth: 420 }}
            options={decl.fields.map((f) => ({ value: f.name, label: L(f.label) }))} />
        }>
          <Button icon={<SettingOutlined />} data-testid="columns">{t('columns')}</Button>
        </Popover>
        <Button icon={<DownloadOutlined />} href={`/api/exports/${county}/${year}?ledger=${kind}`}>{t('exportXlsx')}</Button>
        <Button href={`/api/templates/${year}?ledger=${kind}`}>{t('template')}</Button>
        <Tooltip title={readOnly ? whyReadOnly : undefined}>
          <Button type="primary" icon={<PlusOutlined />} disabled={readOnly} onClick={() => openEditor(null)} data-testid="add-record">{t('add')}</Button>
        </Tooltip>
      </Space>}>
      {locked && state && <Alert type="info" showIcon style={{ marginBottom: 12 }} data-testid="locked-banner" title={t('locked', { s: L(meta.statuses[state.status]) })} />}
      {state?.completeness === 'partial' && (
        // Ledgers the county keeps partly as stated totals: say so, and point to where those totals are.
        <Alert type="info" showIcon style={{ marginBottom: 12 }} data-testid="reported-totals-note"
          title={total === 0 ? t('keptAsTotalsEmpty') : t('keptAsTotals')}
          action={<Button size="small" type="link" onClick={() => navigate('/reported')}>{t('seeReported')}</Button>} />
      )}
      {state?.status === 'returned' && state.comment && <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={`${t('return')}：${state.comment}`} />}
      {filterFields.length > 0 && (
        <Form form={filterForm} layout="inline" style={{ marginBottom: 12, rowGap: 8 }} onFinish={(v: Record<string, unknown>) => {
          const f: Record<string, string> = {};
          for (const [k, x] of Object.entries(v)) if (x !== undefined && x !== null && x !== '') f[k] = String(x);
          setPage((p) => ({ ...p, current: 1 }));
          setFilters(f);
        }}>
          {filterFields.map((f) => (
            <Form.Item key={f.name} name={f.name} label={L(f.label)}>
              {f.type === 'enum' ? <Select allowClear style={{ width: 150 }} options={(categories[f.categories ?? ''] ?? []).map((c) => ({ value: c.value, label: c[i18n.locale] }))} />
                : f.type === 'bool' ? <Select allowClear style={{ width: 90 }} options={[{ value: 'true', label: t('yes') }, { value: 'false', label: t('no') }]} />
                  : <Input allowClear style={{ width: 160 }} placeholder={t('filterPlaceholder', { f: L(f.label) })} data-testid={`filter-${f.name}`} />}
            </Form.Item>
          ))}
          <Form.Item>
            <Space>
              <Button htmlType="submit" type="primary" ghost data-testid="filter-submit">{t('search')}</Button>
              <Button onClick={() => { filterForm.resetFields(); setFilters({}); }}>{t('reset')}</Button>
            </Space>
          </Form.Item>
        </Form>
      )}
      {narrow ? (
        // Phones: one card per record, the title field as its heading, the chosen columns below, actions at the foot.
        <Spin spinning={loading}>
          <div data-testid="ledger-cards">
            {rows.length === 0 && !loading && <Empty />}
            {rows.map((r) => {
              const titleField = decl.fields.find((f) => f.name === decl.titleField) ?? decl.fields[0]!;
              return (
                <Card key={r.id} size="small" className="xz-record-card" style={{ marginBottom: 8 }} data-testid={`record-card-${r.id}`}
                  title={<Typography.Text strong style={{ whiteSpace: 'normal' }}>{displayValue(titleField, r, categories, i18n) || `#${r.id}`}</Typography.Text>}
                  actions={[
                    <Button key="e" type="link" size="small" icon={<EditOutlined />} disabled={readOnly} onClick={() => openEditor(r)} data-testid={`edit-${r.id}`}>{t('edit')}</Button>,
                    <Popconfirm key="d" title={t('confirmDelete')} onConfirm={() => remove(r)} disabled={readOnly}>
                      <Button type="link" size="small" danger icon={<DeleteOutlined />} disabled={readOnly} data-testid={`delete-${r.id}`}>{t('delete')}</Button>
                    </Popconfirm>,
                    <Button key="v" type="link" size="small" icon={<PaperClipOutlined />} onClick={() => setEvidenceFor(r)}>{t('evidence')}</Button>,
                  ]}>
                  <Descriptions size="small" column={1}
                    items={decl.fields.filter((f) => shown.includes(f.name) && f.name !== titleField.name)
                      // A card lists what the record holds; an empty field gets no line rather than a blank one.
                      .flatMap((f) => { const v = displayValue(f, r, categories, i18n); return v ? [{ key: f.name, label: fieldColumns.find((c) => c.key === f.name)!.title, children: v }] : []; })} />
                </Card>
              );
            })}
            {rows.length > 0 && decl.fields.some((f) => shown.includes(f.name) && typeof totals[f.name] === 'number') && (
              // The same 合计 as the table's: every record the filter matches.
              <Card size="small" style={{ marginBottom: 8 }} data-testid="ledger-total"
                title={<strong>{total > rows.length ? t('allPagesTotal', { n: total }) : t('recordsTotal')}</strong>}>
                <Descriptions size="small" column={1}
                  items={decl.fields.filter((f) => shown.includes(f.name) && typeof totals[f.name] === 'number').map((f) => ({
                    key: f.name, label: fieldColumns.find((c) => c.key === f.name)!.title,
                    children: <strong>{f.type === 'money' ? fenToWan(totals[f.name]!) : totals[f.name]}</strong>,
                  }))} />
              </Card>
            )}
            {total > 0 && (
              <Pagination size="small" align="center" current={page.current} pageSize={page.pageSize} total={total} showTotal={(n) => t('total', { n })}
                onChange={(current, pageSize) => setPage({ current, pageSize })} />
            )}
          </div>
        </Spin>
      ) : <Table<LedgerRecord> rowKey="id" size="small" loading={loading} dataSource={rows} columns={columns}
        scroll={{ x: fieldColumns.reduce((n, c) => n + c.width, ACTIONS_WIDTH) }}
        data-testid="ledger-table" className="xz-ledger-table"
        summary={(data) => {
          // 合计 of every record the filter matches, on any page; only amounts and counts are added
          // (the server says which: a year or months of 12 describe one record).
          const cols = decl.fields.filter((f) => shown.includes(f.name));
          if (!data.length || !cols.some((f) => f.name in totals)) return null;
          return (
            <Table.Summary.Row data-testid="ledger-total">
              {cols.map((f, i) => {
                const v = totals[f.name];
                return (
                  <Table.Summary.Cell key={f.name} index={i} align={f.name in totals ? 'right' : 'left'}>
                    {i === 0 ? <strong>{total > data.length ? t('allPagesTotal', { n: total }) : t('recordsTotal')}</strong>
                      : v !== undefined && v !== null ? <strong>{f.type === 'money' ? fenToWan(v) : v}</strong> : null}
                  </Table.Summary.Cell>
                );
              })}
              <Table.Summary.Cell index={cols.length} />
            </Table.Summary.Row>
          );
        }}
        pagination={{ ...page, total, showSizeChanger: true, showTotal: (n) => t('total', { n }) }}
        onChange={(p, _f, s) => {
          setPage({ current: p.current ?? 1, pageSize: p.pageSize ?? 20 });
          const so = s as SorterResult<LedgerRecord>;
          setSort(so.order ? { field: String(so.columnKey), dir: so.order === 'descend' ? 'desc' : 'asc' } : null);
        }} />}
      <Modal open={editing !== undefined} width={narrow ? '100%' : 760} style={narrow ? { top: 8 } : undefined} title={`${editing ? t('edit') : t('add')} · ${L(decl.label)}`} destroyOnHidden
        onCancel={() => setEditing(undefined)} onOk={() => void save()} confirmLoading={saving} okText={t('save')} cancelText={t('cancel')}
        okButtonProps={{ 'data-testid': 'record-save' } as Record<`data-${string}`, string>}>
        <RecordForm decl={decl} categories={categories} form={form} editing={!!editing} />
      </Modal>
      {evidenceFor && (
        <EvidenceDrawer county={county} year={year} target={{ ledger: kind, recordId: evidenceFor.id }}
          title={`${L(decl.label)} · ${displayValue(decl.fields.find((f) => f.name === decl.titleField) ?? decl.fields[0]!, evidenceFor, categories, i18n)}`}
          onClose={() => setEvidenceFor(undefined)} />
      )}
    </Card>
  );
}
