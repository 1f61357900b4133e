import { App, Alert, Button, Card, DatePicker, Descriptions, Empty, Form, Grid, Input, List, Modal, Segmented, Space, Spin, Table, Tag, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, type LedgerRecord, type ProblemDrafts } from '../../api.ts';
import { useApp } from '../../context.ts';
import { showError } from '../../errors.tsx';
import { useI18n } from '../../i18n.ts';
import { fenToWan } from '../../money.ts';
import { navigate } from '../../router.ts';
import { mayWriteCounty } from '../reported/access.ts';
import { words } from './strings.ts';
import { type CountyWarnings, defaultAsOf, overseenUnit, type PaceView, type WarningRecord, type WarningView, type WarningsReport } from './types.ts';

const SEVERITY_COLOR = { high: 'red', medium: 'orange', low: 'default' } as const;

/**
 * Early warnings as of a chosen day: for a county its targets' pace and its warnings; for province
 * and prefecture users also their counties ranked by how far behind. Every warning names its
 * records (opened in place), and county users can acknowledge it with a note.
 */
export function WarningsPage() {
  const i18n = useI18n();
  const w = words(i18n.locale);
  const { L } = i18n;
  const { message, modal } = App.useApp();
  const { county, year, version, bump, session } = useApp();
  const unit = overseenUnit(session.user.role, session.user.units, county);
  const [asOf, setAsOf] = useState(() => defaultAsOf(year));
  const [scope, setScope] = useState<'county' | 'unit'>(unit ? 'unit' : 'county');
  const [shown, setShown] = useState(county);
  const [report, setReport] = useState<WarningsReport>();
  const [loading, setLoading] = useState(false);
  const [acking, setAcking] = useState<WarningView>();
  const [record, setRecord] = useState<{ ref: WarningRecord; row?: LedgerRecord }>();
  const [form] = Form.useForm<{ note: string }>();
  const narrow = !Grid.useBreakpoint().md;

  useEffect(() => { setAsOf(defaultAsOf(year)); }, [year]);
  useEffect(() => { setShown(county); }, [county]);

  const load = useCallback(() => {
    setLoading(true);
    const target = scope === 'unit' && unit ? unit : county;
    api.get<WarningsReport>(`/api/warnings/${target}?asOf=${asOf}`)
      .then(setReport, (e) => { showError(e, i18n); setReport(undefined); })
      .finally(() => setLoading(false));
  }, [scope, unit, county, asOf]);
  useEffect(load, [load, version]);

  const quarterEnds = ['03-31', '06-30', '09-30', '12-31'].map((d) => `${year}-${d}`);
  const current = report?.counties.find((c) => c.code === (scope === 'unit' ? shown : county)) ?? (scope === 'county' ? report?.counties[0] : undefined);
  const mayWrite = current ? mayWriteCounty(session.user, current.code) : false;

  const openRecord = (ref: WarningRecord) => {
    setRecord({ ref });
    api.get<LedgerRecord>(`/api/records/${ref.ledger}/${ref.id}`).then((row) => setRecord({ ref, row }), (e) => { showError(e, i18n); setRecord(undefined); });
  };

  const saveAck = async () => {
    if (!acking || !current) return;
    let v: { note: string };
    try { v = await form.validateFields(); } catch { return; }
    try {
      await api.put(`/api/warnings/${current.code}/${year}/ack`, { key: acking.key, note: v.note, ...(acking.ack ? { version: acking.ack.version } : {}) });
      void message.success(w('ackSaved'));
      setAcking(undefined);
      bump();
    } catch (e) { showError(e, i18n); }
  };

  const draft = async (replace = false) => {
    if (!current) return;
    try {
      const d = await api.post<ProblemDrafts>(`/api/warnings/${current.code}/${year}/drafts`, { replace });
      if (!d.length) { void message.info(w('draftsNone')); return; }
      modal.success({ title: w('draftsDone', { n: d.length }), okText: w('openNarrative'), onOk: () => navigate('/narrative') });
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && !replace) modal.confirm({ title: w('draftsReplace'), onOk: () => draft(true) });
      else showError(e, i18n);
    }
  };

  const figure = (zh: string | null, en: string | null) => (i18n.locale === 'zh' ? zh : en ?? zh) ?? '—';
  const paceColumns = [
    { title: w('indicator'), key: 'i', width: 180, render: (_: unknown, p: PaceView) => L(p.label) },
    { title: w('target'), key: 't', width: 130, render: (_: unknown, p: PaceView) => (i18n.locale === 'zh' ? p.target.display : p.target.displayEn) },
    { title: w('toDate'), key: 'd', width: 110, align: 'right' as const, render: (_: unknown, p: PaceView) => figure(p.toDate, p.toDateEn) },
    { title: w('projection'), key: 'p', width: 110, align: 'right' as const, render: (_: unknown, p: PaceView) => figure(p.projection, p.projectionEn) },
    { title: w('reachDate'), key: 'r', width: 110, render: (_: unknown, p: PaceView) => (p.reached ? w('reached') : p.reachDate ?? '—') },
    { title: w('gap'), key: 'g', width: 100, align: 'right' as const, render: (_: unknown, p: PaceView) => figure(p.gap, p.gapEn) },
    {
      title: w('method'), key: 'm', width: 200,
      render: (_: unknown, p: PaceView) => (
        <Space size={4} wrap>
          <Tag key={String(p.onTrack)} color={p.onTrack === null ? undefined : p.onTrack ? 'green' : 'red'} data-testid="pace-status">{p.onTrack === null ? w('noPace') : p.onTrack ? w('onTrack') : w('offTrack')}</Tag>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{L(p.methodText)}</Typography.Text>
        </Space>
      ),
    },
  ];

  const ackButton = (x: WarningView) => (
    <Button key="ack" size="small" type={x.ack ? 'default' : 'primary'} ghost={!x.ack} data-testid="ack-button"
      onClick={() => { form.setFieldsValue({ note: x.ack?.note ?? '' }); setAcking(x); }}>{x.ack ? w('editAck') : w('ack')}</Button>
  );

  const countyView = (c: CountyWarnings) => (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card size="small" title={`${w('pace')} · ${c.name}`} data-testid="pace-card">
        {!c.pace.length ? <Empty description={w('noTargets')} />
          : narrow ? (
            // On a phone each target is a short block instead of a wide table row.
            <List size="small" dataSource={c.pace} data-testid="pace-table" renderItem={(p) => (
              <List.Item key={p.indicator}>
                <Space direction="vertical" size={2} style={{ width: '100%' }}>
                  <Typography.Text strong>{L(p.label)}</Typography.Text>
                  <Typography.Text>{w('target')}：{i18n.locale === 'zh' ? p.target.display : p.target.displayEn}</Typography.Text>
                  {p.toDate !== null && <Typography.Text>{w('toDate')}：{figure(p.toDate, p.toDateEn)} · {w('projection')}：{figure(p.projection, p.projectionEn)}</Typography.Text>}
                  {(p.reachDate || p.reached || p.gap) && <Typography.Text>{w('reachDate')}：{p.reached ? w('reached') : p.reachDate ?? '—'}{p.gap ? ` · ${w('gap')}：${figure(p.gap, p.gapEn)}` : ''}</Typography.Text>}
                  {paceColumns[6]!.render(null, p)}
                </Space>
              </List.Item>
            )} />
          ) : <Table size="small" rowKey="indicator" pagination={false} dataSource={c.pace} columns={paceColumns} scroll={{ x: 940 }} data-testid="pace-table" />}
      </Card>
      <Card
        size="small" title={`${w('warnings')}（${c.warnings.length}）`} data-testid="warnings-card"
        extra={mayWrite && asOf >= `${year}-12-31` ? <Tooltip title={w('draftsHelp')}><Button size="small" onClick={() => void draft()} data-testid="draft-problems">{w('drafts')}</Button></Tooltip> : null}
      >
        {c.warnings.length === 0 ? <Empty description={w('none')} /> : (
          <List
            dataSource={c.warnings} data-testid="warnings-list"
            renderItem={(x) => (
              <List.Item
                key={x.key} data-testid="warning-item"
                actions={mayWrite && !narrow ? [ackButton(x)] : []}
              >
                <List.Item.Meta
                  title={<Space size={6} wrap><Tag color={SEVERITY_COLOR[x.severity]}>{w(x.severity)}</Tag><span style={{ whiteSpace: 'normal' }}>{L(x.title)}</span></Space>}
                  description={(
                    <Space direction="vertical" size={4} style={{ width: '100%' }}>
                      <Typography.Text>{L(x.detail)}</Typography.Text>
                      {x.records.length > 0 && (
                        <div data-testid="warning-records">
                          <Typography.Text type="secondary">{w('records')}：</Typography.Text>
                          {x.records.map((r) => (
                            <Tag key={`${r.ledger}#${r.id}`} color="blue" style={{ cursor: 'pointer', whiteSpace: 'normal', marginBottom: 4 }} onClick={() => openRecord(r)} data-testid="record-link">
                              {L(r.ledgerLabel)} #{r.id} {r.title}{r.date ? `（${r.date}）` : ''}
                            </Tag>
                          ))}
                        </div>
                      )}
                      {mayWrite && narrow && <div>{ackButton(x)}</div>}
                      {x.ack && (
                        <Alert type="info" showIcon data-testid="ack-note"
                          message={<span><b>{w('note')}</b>：{x.ack.note}</span>}
                          description={w('by', { who: x.ack.by, at: x.ack.at.slice(0, 10) })} />
                      )}
                    </Space>
                  )}
                />
              </List.Item>
            )}
          />
        )}
      </Card>
    </Space>
  );

  const ranking = report && scope === 'unit' && (
    <Card size="small" title={`${report.unitName}（${report.unit}）`} data-testid="ranking-card">
      <Table
        size="small" rowKey="code" pagination={false} dataSource={report.counties} scroll={{ x: 620 }} data-testid="ranking-table"
        rowClassName={(c) => (c.code === shown ? 'ant-table-row-selected' : '')}
        onRow={(c) => ({ onClick: () => setShown(c.code), style: { cursor: 'pointer' } })}
        columns={[
          { title: w('rank'), dataIndex: 'rank', width: 60 },
          { title: w('county'), key: 'c', width: 160, render: (_: unknown, c: CountyWarnings) => `${c.name}（${c.code}）` },
          { title: <Tooltip title={w('behindHelp')}>{w('behind')}</Tooltip>, key: 'b', width: 100, align: 'right' as const, render: (_: unknown, c: CountyWarnings) => c.behind.toFixed(2) },
          ...(['high', 'medium', 'low'] as const).map((s) => ({ title: w(s), key: s, width: 60, align: 'right' as const, render: (_: unknown, c: CountyWarnings) => c.warnings.filter((x) => x.severity === s).length })),
          { title: w('acked'), key: 'a', width: 80, align: 'right' as const, render: (_: unknown, c: CountyWarnings) => c.warnings.filter((x) => x.ack).length },
        ]}
      />
    </Card>
  );

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }} data-testid="warnings-page">
      <Typography.Title level={4} style={{ margin: 0 }}>{w('title')}</Typography.Title>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>{w('intro')}</Typography.Paragraph>
      <Space wrap>
        <span>{w('asOf')}</span>
        <DatePicker value={dayjs(asOf)} allowClear={false} onChange={(d) => d && setAsOf(d.format('YYYY-MM-DD'))} data-testid="as-of" />
        <Segmented size="small" value={quarterEnds.includes(asOf) ? asOf : ''} onChange={(v) => v && setAsOf(String(v))}
          options={quarterEnds.map((d) => ({ value: d, label: i18n.locale === 'zh' ? `${Number(d.slice(5, 7))}月${Number(d.slice(8))}日` : d.slice(5) }))} data-testid="quarter-ends" />
        {unit && <Segmented size="small" value={scope} onChange={(v) => setScope(v as 'county' | 'unit')} options={[{ value: 'unit', label: w('scopeUnit') }, { value: 'county', label: w('scopeCounty') }]} data-testid="warnings-scope" />}
      </Space>
      {loading && !report ? <Spin /> : null}
      {ranking}
      {current ? countyView(current) : report && !loading ? <Empty description={w('none')} /> : null}
      {report && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{w('rules')}：{report.rules.join('，')}</Typography.Text>}

      <Modal open={!!acking} title={w('ackTitle')} onOk={() => void saveAck()} onCancel={() => setAcking(undefined)} destroyOnHidden>
        {acking && <Typography.Paragraph strong>{L(acking.title)}</Typography.Paragraph>}
        <Typography.Paragraph type="secondary">{w('ackHelp')}</Typography.Paragraph>
        <Form form={form} layout="vertical">
          <Form.Item name="note" label={w('note')} rules={[{ required: true, whitespace: true, message: w('ackRequired') }, { max: 2000 }]}>
            <Input.TextArea rows={4} maxLength={2000} showCount data-testid="ack-note-input" />
          </Form.Item>
        </Form>
      </Modal>

      <RecordModal record={record} onClose={() => setRecord(undefined)} openLedgerLabel={w('openLedger')} title={w('record')} />
    </Space>
  );
}

function RecordModal({ record, onClose, openLedgerLabel, title }: { record?: { ref: WarningRecord; row?: LedgerRecord }; onClose: () => void; openLedgerLabel: string; title: string }) {
  const { L } = useI18n();
  const { meta, categories } = useApp();
  const decl = record ? meta.ledgers.find((l) => l.kind === record.ref.ledger) : undefined;
  const show = (v: unknown, f: NonNullable<typeof decl>['fields'][number]) => {
    if (v === null || v === undefined || v === '') return '—';
    if (f.type === 'money' && typeof v === 'number') return `${fenToWan(v)}万元`;
    if (f.type === 'enum' && f.categories) { const c = categories[f.categories]?.find((x) => x.value === v); return c ? L(c) : String(v); }
    if (f.type === 'bool') return v ? '✓' : '✗';
    return String(v);
  };
  return (
    <Modal open={!!record} title={record ? `${L(record.ref.ledgerLabel)} · ${title} #${record.ref.id}` : ''} onCancel={onClose} data-testid="record-modal"
      footer={record ? [<Button key="l" onClick={() => { onClose(); navigate(`/ledgers/${record.ref.ledger}`); }}>{openLedgerLabel}</Button>] : null}>
      {!record?.row || !decl ? <Spin /> : (
        <Descriptions size="small" column={1} bordered items={decl.fields.filter((f) => record.row![f.name] !== undefined).map((f) => ({ key: f.name, label: L(f.label), children: show(record.row![f.name], f) }))} />
      )}
    </Modal>
  );
}
