import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError, type ReportableElement as Element, type ReportedList, type ReportedValue } from '../../api.ts';
import { useApp } from '../../context.ts';
import { showError } from '../../errors.tsx';
import { type Key, useI18n } from '../../i18n.ts';
import { mayWriteCounty } from './access.ts';

interface Row extends ReportedValue { span: number }

/** Dated and undated values come from two lists whose ids may coincide. */
const keyOf = (r: ReportedValue) => `${r.asOf ?? ''}#${r.id}`;
const testIdOf = (r: ReportedValue) => `reported-${r.element}${r.dim ? `-${r.dim}` : ''}${r.asOf ? `@${r.asOf}` : ''}`;

const QUAL_COLOR: Record<string, string> = { exact: 'default', about: 'gold', over: 'blue', range: 'purple' };

/** The text a person would type for a stored value: its printed figure without the unit. */
function asTyped(r: ReportedValue, el: Element | undefined): string {
  const unit = el?.unitLabel.zh ?? '';
  const s = unit && r.display.endsWith(unit) ? r.display.slice(0, -unit.length) : r.display;
  return s.replace(/,/g, '');
}

/** Reported values of the county-year (aggregates without records), grouped by element. */
export function ReportedPage() {
  const i18n = useI18n();
  const { t, L } = i18n;
  const { message, modal } = App.useApp();
  const { county, year, version, bump, session } = useApp();
  const mayWrite = mayWriteCounty(session.user, county);
  const [rows, setRows] = useState<ReportedValue[]>();
  const [elements, setElements] = useState<Element[]>([]);
  const [editing, setEditing] = useState<ReportedValue | null | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<{ element?: string; dim?: string; text: string; note?: string; asOf?: string }>();
  const chosen = Form.useWatch('element', form);

  const load = useCallback(() => {
    api.get<ReportedList>(`/api/reported/${county}/${year}`)
      .then((r) => { setRows([...r.rows, ...(r.dated ?? [])]); setElements(r.elements); }, (e) => { showError(e, i18n); setRows([]); });
  }, [county, year]);
  useEffect(load, [load, version]);

  const byId = useMemo(() => new Map(elements.map((e) => [e.id, e])), [elements]);
  const order = useMemo(() => new Map(elements.map((e, i) => [e.id, i])), [elements]);
  // Grouped by element in catalogue order; the first row of each group spans the group's element cell.
  const grouped = useMemo<Row[]>(() => {
    // Within an element and dim, the figures as of days first, by day, then the year's.
    const sorted = [...(rows ?? [])].sort((a, b) => (order.get(a.element) ?? 999) - (order.get(b.element) ?? 999) || a.dim.localeCompare(b.dim)
      || (a.asOf ?? '9999').localeCompare(b.asOf ?? '9999'));
    return sorted.map((r, i) => ({
      ...r, span: i > 0 && sorted[i - 1]!.element === r.element ? 0 : sorted.filter((x) => x.element === r.element).length,
    }));
  }, [rows, order]);

  const element = chosen ? byId.get(chosen) : undefined;

  const open = (r: ReportedValue | null) => {
    form.resetFields();
    if (r) form.setFieldsValue({ element: r.element, dim: r.dim || undefined, text: asTyped(r, byId.get(r.element)), note: r.note ?? '', asOf: r.asOf ?? '' });
    setEditing(r);
  };

  const save = async () => {
    let v: { element?: string; dim?: string; text: string; note?: string; asOf?: string };
    try { v = await form.validateFields(); } catch { return; }
    const el = editing?.element ?? v.element!;
    const dim = editing ? editing.dim : v.dim ?? '';
    const asOf = editing ? editing.asOf : v.asOf?.trim() || null;
    // Adding a value that already exists replaces it; guard that replacement with the version shown.
    const existing = editing ?? rows?.find((r) => r.element === el && r.dim === dim && r.asOf === asOf);
    setSaving(true);
    try {
      await api.put(`/api/reported/${county}/${year}/${el}`, {
        ...(dim ? { dim } : {}), text: v.text, note: v.note ?? '', ...(existing ? { version: existing.version } : {}), ...(asOf ? { asOf } : {}),
      });
      void message.success(t('saved'));
      setEditing(undefined);
      bump();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'CONFLICT') {
        modal.warning({
          title: t('staleTitle'), content: <span data-testid="stale-message">{L(e.msg)}</span>, okText: t('reload'),
          onOk: () => { setEditing(undefined); bump(); },
        });
      } else if (e instanceof ApiError && e.code === 'INVALID') {
        form.setFields([{ name: 'text', errors: [L(e.msg)] }]);
      } else showError(e, i18n);
    } finally {
      setSaving(false);
    }
  };

  const remove = async (r: ReportedValue) => {
    try {
      await api.del(`/api/reported/${r.asOf ? 'dated/' : ''}${r.id}?version=${r.version}`);
      void message.success(t('deleted'));
      bump();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'CONFLICT') modal.warning({ title: t('staleTitle'), content: <span data-testid="stale-message">{L(e.msg)}</span>, okText: t('reload'), onOk: bump });
      else showError(e, i18n);
    }
  };

  return (
    <Card title={t('reported')} data-testid="reported"
      extra={<Button type="primary" icon={<PlusOutlined />} disabled={!mayWrite} onClick={() => open(null)} data-testid="add-reported">{t('add')}</Button>}>
      <Typography.Paragraph type="secondary">{t('reportedIntro')}</Typography.Paragraph>
      {!mayWrite && <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('readOnly')} data-testid="read-only" />}
      <Table<Row> rowKey={keyOf} size="small" loading={rows === undefined} pagination={false} dataSource={grouped} bordered data-testid="reported-table"
        columns={[
          {
            title: t('element'), key: 'element', width: 260, onCell: (r) => ({ rowSpan: r.span }),
            render: (_, r) => <span data-testid={`element-${r.element}`}>{L(r.label)}</span>,
          },
          { title: t('dim'), key: 'dim', width: 200, render: (_, r) => r.dimLabel ?? '—' },
          { title: t('asOf'), key: 'asOf', width: 110, render: (_, r) => r.asOf ?? <Typography.Text type="secondary">{t('wholeYear')}</Typography.Text> },
          { title: t('value'), key: 'display', align: 'right', width: 160, render: (_, r) => <strong data-testid={testIdOf(r)}>{r.display}</strong> },
          { title: t('qualifier'), key: 'qual', width: 100, render: (_, r) => <Tag color={QUAL_COLOR[r.qual]}>{t(`q_${r.qual}` as Key)}</Tag> },
          { title: t('sourceNote'), dataIndex: 'note', ellipsis: true, render: (n: string | null) => n || '' },
          {
            title: t('actions'), key: 'actions', width: 170, render: (_, r) => (
              <Space size={0}>
                <Button type="link" size="small" icon={<EditOutlined />} disabled={!mayWrite} onClick={() => open(r)} data-testid={`edit-reported-${r.id}`}>{t('edit')}</Button>
                <Popconfirm title={t('confirmDeleteReported')} onConfirm={() => remove(r)} disabled={!mayWrite}>
                  <Button type="link" size="small" danger icon={<DeleteOutlined />} disabled={!mayWrite} data-testid={`delete-reported-${r.id}`}>{t('delete')}</Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]} />
      <Modal open={editing !== undefined} title={editing ? `${t('edit')} · ${L(editing.label)}${editing.dimLabel ? ` · ${editing.dimLabel}` : ''}` : t('addReported')}
        onCancel={() => setEditing(undefined)} onOk={() => void save()} confirmLoading={saving} destroyOnHidden width={560}
        okText={t('save')} cancelText={t('cancel')} okButtonProps={{ 'data-testid': 'reported-save' } as Record<`data-${string}`, string>}>
        <Form form={form} layout="vertical" data-testid="reported-form">
          <Form.Item name="element" label={t('element')} rules={[{ required: true, message: t('required') }]}>
            <Select showSearch disabled={!!editing} data-testid="field-element" optionFilterProp="label" placeholder={t('chooseElement')}
              onChange={() => form.setFieldValue('dim', undefined)}
              options={elements.map((e) => ({ value: e.id, label: `${L(e.label)}（${L(e.unitLabel) || e.unit}）` }))} />
          </Form.Item>
          {element?.dims && (
            <Form.Item name="dim" label={t('dim')} rules={[{ required: true, message: t('required') }]}>
              <Select disabled={!!editing} data-testid="field-dim" options={element.dims.map((d) => ({ value: d.value, label: i18n.locale === 'zh' ? d.zh : d.en }))} />
            </Form.Item>
          )}
          <Form.Item name="text" label={`${t('value')}${element ? `（${L(element.unitLabel) || element.unit}）` : ''}`}
            rules={[{ required: true, whitespace: true, message: t('required') }]}
            extra={<span data-testid="value-hint">{t('valueHint', { u: element ? L(element.unitLabel) || '' : '' })}</span>}>
            <Input data-testid="field-text" maxLength={60} autoComplete="off" />
          </Form.Item>
          <Form.Item name="asOf" label={t('asOf')} extra={t('asOfHint')}
            rules={[{ pattern: new RegExp(`^${year}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$`), message: t('asOfBad') }]}>
            <Input data-testid="field-as-of" disabled={!!editing} maxLength={10} placeholder={`${year}-06-30`} autoComplete="off" />
          </Form.Item>
          <Form.Item name="note" label={t('sourceNote')} extra={t('sourceNoteHint')}>
            <Input.TextArea data-testid="field-note" rows={2} maxLength={1000} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
