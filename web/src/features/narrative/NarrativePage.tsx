import { DeleteOutlined, EditOutlined, EyeOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Empty, Form, Input, List, Modal, Popconfirm, Select, Space, Tag, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError, type Narrative, type NarrativeParagraph as Paragraph, type TargetedIndicator as Targeted } from '../../api.ts';
import { useApp } from '../../context.ts';
import { showError } from '../../errors.tsx';
import { type Key, useI18n } from '../../i18n.ts';
import { navigate } from '../../router.ts';
import { mayWriteCounty } from '../reported/access.ts';

type Section = Paragraph['section'];
const SECTIONS: Section[] = ['highlights', 'problem', 'problem_note', 'plan'];
interface Editing { section: Section; seq: number; row: Paragraph | null }

/** The report's own words: highlights, further problems, notes on missed targets and next year's plan. */
export function NarrativePage() {
  const i18n = useI18n();
  const { t, L } = i18n;
  const { message, modal } = App.useApp();
  const { county, year, version, bump, session } = useApp();
  const mayWrite = mayWriteCounty(session.user, county);
  const [rows, setRows] = useState<Paragraph[]>();
  const [indicators, setIndicators] = useState<Targeted[]>([]);
  const [editing, setEditing] = useState<Editing>();
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<{ title?: string; body: string; note?: string }>();

  const load = useCallback(() => {
    api.get<Narrative>(`/api/narrative/${county}/${year}`)
      .then((r) => { setRows(r.rows); setIndicators(r.indicators); }, (e) => { showError(e, i18n); setRows([]); });
  }, [county, year]);
  useEffect(load, [load, version]);

  const indicatorOf = useMemo(() => new Map(indicators.map((i) => [i.id, i])), [indicators]);
  const stale = (e: ApiError) => modal.warning({
    title: t('staleTitle'), content: <span data-testid="stale-message">{L(e.msg)}</span>, okText: t('reload'),
    onOk: () => { setEditing(undefined); bump(); },
  });

  const open = (e: Editing) => {
    form.resetFields();
    if (e.row) form.setFieldsValue({ title: e.row.title ?? undefined, body: e.row.body, note: e.row.note ?? '' });
    setEditing(e);
  };
  const add = (section: Section) => {
    const seqs = (rows ?? []).filter((r) => r.section === section).map((r) => r.seq);
    open({ section, seq: Math.max(0, ...seqs) + 1, row: null });
  };

  const save = async () => {
    if (!editing) return;
    let v: { title?: string; body: string; note?: string };
    try { v = await form.validateFields(); } catch { return; }
    setSaving(true);
    try {
      await api.put(`/api/narrative/${county}/${year}/${editing.section}/${editing.seq}`, {
        title: v.title?.trim() || null, body: v.body, note: v.note?.trim() || null, ...(editing.row ? { version: editing.row.version } : {}),
      });
      void message.success(t('saved'));
      setEditing(undefined);
      bump();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'CONFLICT') stale(e);
      else showError(e, i18n);
    } finally {
      setSaving(false);
    }
  };

  const remove = async (p: Paragraph) => {
    try {
      await api.del(`/api/narrative/${p.id}?version=${p.version}`);
      void message.success(t('deleted'));
      bump();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'CONFLICT') stale(e);
      else showError(e, i18n);
    }
  };

  const titleOf = (p: Paragraph) => {
    if (p.section !== 'problem_note') return p.title ?? '';
    const ind = indicatorOf.get(p.title ?? '');
    return ind ? L(ind.label) : p.title ?? '';
  };

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }} data-testid="narrative">
      <Card size="small">
        <Space wrap style={{ width: '100%', justifyContent: 'space-between' }}>
          <Typography.Text type="secondary">{t('narrativeIntro')}</Typography.Text>
          <Button icon={<EyeOutlined />} onClick={() => navigate('/report')} data-testid="preview-report">{t('previewReport')}</Button>
        </Space>
        {!mayWrite && <Alert type="info" showIcon style={{ marginTop: 12 }} title={t('readOnly')} data-testid="read-only" />}
      </Card>
      {SECTIONS.map((section) => {
        const list = (rows ?? []).filter((r) => r.section === section).sort((a, b) => a.seq - b.seq);
        return (
          <Card key={section} size="small" title={t(`section_${section}` as Key)} data-testid={`section-${section}`}
            extra={<Button size="small" icon={<PlusOutlined />} disabled={!mayWrite} onClick={() => add(section)} data-testid={`add-${section}`}>{t('addParagraph')}</Button>}>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>{t(`sectionHelp_${section}` as Key)}</Typography.Paragraph>
            <List<Paragraph> loading={rows === undefined} dataSource={list} locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noParagraph')} /> }}
              renderItem={(p) => {
                const ind = p.section === 'problem_note' ? indicatorOf.get(p.title ?? '') : undefined;
                return (
                  <List.Item data-testid={`paragraph-${p.section}-${p.seq}`} actions={[
                    <Button key="e" type="link" size="small" icon={<EditOutlined />} disabled={!mayWrite} onClick={() => open({ section: p.section, seq: p.seq, row: p })} data-testid={`edit-${p.section}-${p.seq}`}>{t('edit')}</Button>,
                    <Popconfirm key="d" title={t('confirmDeleteParagraph')} onConfirm={() => remove(p)} disabled={!mayWrite}>
                      <Button type="link" size="small" danger icon={<DeleteOutlined />} disabled={!mayWrite} data-testid={`delete-${p.section}-${p.seq}`}>{t('delete')}</Button>
                    </Popconfirm>,
                  ]}>
                    <List.Item.Meta
                      title={<Space>{`${p.seq}. ${titleOf(p)}`}{ind && <Tag color={ind.status === 'missed' ? 'error' : ind.status === 'met' ? 'success' : 'default'}>{ind.display ?? '—'} / {t('target')} {ind.target}</Tag>}</Space>}
                      description={<>
                        <Typography.Paragraph style={{ marginBottom: 4, whiteSpace: 'pre-wrap', color: 'rgba(0,0,0,0.85)' }} ellipsis={{ rows: 4, expandable: true, symbol: t('more') }}>{p.body}</Typography.Paragraph>
                        {p.note && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('note')}：{p.note}</Typography.Text>}
                      </>} />
                  </List.Item>
                );
              }} />
          </Card>
        );
      })}
      <Modal open={!!editing} width={720} destroyOnHidden confirmLoading={saving} okText={t('save')} cancelText={t('cancel')}
        title={editing ? `${t(`section_${editing.section}` as Key)} · ${editing.row ? t('edit') : t('addParagraph')}` : ''}
        onCancel={() => setEditing(undefined)} onOk={() => void save()} okButtonProps={{ 'data-testid': 'narrative-save' } as Record<`data-${string}`, string>}>
        {editing && (
          <Form form={form} layout="vertical" data-testid="narrative-form">
            {editing.section === 'problem_note' ? (
              <Form.Item name="title" label={t('explainsIndicator')} rules={[{ required: true, message: t('required') }]} extra={t('explainsIndicatorHelp')}>
                <Select showSearch optionFilterProp="label" data-testid="field-title" options={indicators.map((i) => ({
                  value: i.id,
                  label: `${L(i.label)}（${i.display ?? '—'}，${t('target')} ${i.target}${i.status === 'missed' ? `，${t('missed')}` : ''}）`,
                }))} />
              </Form.Item>
            ) : (
              <Form.Item name="title" label={t('paragraphTitle')}>
                <Input maxLength={200} data-testid="field-title" />
              </Form.Item>
            )}
            <Form.Item name="body" label={t('paragraphBody')} rules={[{ required: true, whitespace: true, message: t('required') }]}>
              <Input.TextArea rows={8} maxLength={20000} showCount data-testid="field-body" />
            </Form.Item>
            <Form.Item name="note" label={t('note')}>
              <Input maxLength={1000} data-testid="field-note" />
            </Form.Item>
          </Form>
        )}
      </Modal>
    </Space>
  );
}
