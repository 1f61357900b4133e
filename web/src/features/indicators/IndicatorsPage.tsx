import { Alert, App, Button, Card, Descriptions, Form, Input, Modal, Select, Space, Spin, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api, type Indicator, type IndicatorsAndRules, type Rule, type UnitName } from '../../api.ts';
import { useApp } from '../../context.ts';
import { showError } from '../../errors.tsx';
import { useI18n } from '../../i18n.ts';
import { OPS, opLabel } from '../audit/describe.ts';
import { EvidenceDrawer } from '../evidence/EvidenceDrawer.tsx';
import { IndicatorTable } from './IndicatorTable.tsx';
import { PeriodBanner, periodQuery, PeriodSelect } from './period.tsx';
import { figure, targetText } from './show.ts';

const SYMBOL: Record<string, string> = { '<=': '≤', '>=': '≥', '=': '＝', '<': '＜', '>': '＞' };

function StatusOf({ r }: { r: Indicator }) {
  const { t } = useI18n();
  return r.status === 'met' ? <Tag color="success">{t('met')}</Tag> : r.status === 'missed' ? <Tag color="error">{t('missed')}</Tag> : null;
}

/** Where the figures come from: the county, or a roll-up the caller may read (its counties added up). */
type Scope = { kind: 'county' } | { kind: 'unit'; code: string } | { kind: 'nation' } | { kind: 'partner'; code: string };
const scopeKey = (s: Scope) => (s.kind === 'county' || s.kind === 'nation' ? s.kind : `${s.kind}:${s.code}`);
function scopeUrl(s: Scope, county: string, year: number): string {
  switch (s.kind) {
    case 'county': return `/api/indicators/${county}/${year}`;
    case 'unit': return `/api/indicators/${s.code}/${year}`;
    case 'nation': return `/api/indicators/national/${year}`;
    case 'partner': return `/api/partners/${s.code}/indicators/${year}`;
  }
}

export function IndicatorsPage() {
  const i18n = useI18n();
  const { t, L } = i18n;
  const { message } = App.useApp();
  const { county, year, version, bump, session } = useApp();
  const [data, setData] = useState<IndicatorsAndRules>();
  const [period, setPeriod] = useState('year');
  const [editing, setEditing] = useState<Indicator>();
  const [evidence, setEvidence] = useState<Indicator>();
  const [form] = Form.useForm();
  const [search, setSearch] = useState('');
  const canSet = session.user.role === 'province_user' || session.user.role === 'admin';
  const { role, units: mine } = session.user;
  const isEast = role === 'east_user';
  const [units, setUnits] = useState<Array<{ code: string; name: string }>>([]);
  useEffect(() => {
    if (canSet || isEast) api.get<UnitName[]>(`/api/units/mine?county=${county}`).then(setUnits, () => setUnits([]));
  }, [canSet, isEast, county]);
  // The roll-ups the caller may read: the county's prefecture and province where its units cover them, the nation for administrators, an eastern user's own units' paired counties.
  const covers = (code: string) => role === 'admin' || mine.some((u) => code.startsWith(u));
  const nameOf = (code: string) => units.find((u) => u.code === code)?.name;
  const scopes: Array<{ scope: Scope; label: string }> = [{ scope: { kind: 'county' }, label: t('scopeCounty') }];
  if (county && !isEast) {
    for (const [code, key] of [[county.slice(0, 4), 'scopePrefecture'], [county.slice(0, 2), 'scopeProvince']] as const)
      if (covers(code)) scopes.push({ scope: { kind: 'unit', code }, label: `${t(key)}${nameOf(code) ? `（${nameOf(code)}）` : `（${code}）`}` });
  }
  if (role === 'admin' || mine.includes('')) scopes.push({ scope: { kind: 'nation' }, label: t('scopeNation') });
  if (isEast) for (const code of mine) scopes.push({ scope: { kind: 'partner', code }, label: `${nameOf(code) ?? code} · ${t('scopePartner')}` });
  const [scopeName, setScopeName] = useState('county');
  const scope = scopes.find((s) => scopeKey(s.scope) === scopeName)?.scope ?? { kind: 'county' };
  const rolled = scope.kind !== 'county';
  const url = scopeUrl(scope, county, year);

  const [loading, setLoading] = useState(false);
  useEffect(() => {
    if (!rolled && !county) return;
    setData(undefined);
    setLoading(true);
    api.get<IndicatorsAndRules>(`${url}${periodQuery(period)}`).then(setData, (e) => showError(e, i18n)).finally(() => setLoading(false));
  }, [url, version, period]);

  const open = (r: Indicator) => {
    form.setFieldsValue({
      org: r.target && units.some((x) => x.code === r.target!.orgCode) ? r.target.orgCode : units[0]?.code ?? session.user.units[0] ?? county, op: r.target?.op ?? '>=', value: r.target?.value ?? '', valueMax: r.target?.valueMax ?? '', note: r.target?.note ?? '',
    });
    setEditing(r);
  };
  const save = async () => {
    const v = (await form.validateFields()) as { org: string; op: string; value: string; valueMax?: string; note?: string };
    try {
      await api.put(`/api/targets/${v.org}/${year}/${editing!.id}`, { op: v.op, value: v.value || null, valueMax: v.valueMax || null, note: v.note || null });
      void message.success(t('saved'));
      setEditing(undefined);
      bump();
    } catch (e) { showError(e, i18n); }
  };

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={16}>
      <Card title={t('indicators')} data-testid="indicators"
        extra={<Space wrap size={8} style={{ justifyContent: 'flex-end' }}>
          {scopes.length > 1 && <Select aria-label={t('rollUpScope')} value={scopeKey(scope)} onChange={setScopeName} style={{ minWidth: 160 }} data-testid="indicator-scope"
            options={scopes.map((s) => ({ value: scopeKey(s.scope), label: s.label }))} />}
          <PeriodSelect value={period} onChange={setPeriod} i18n={i18n} />
          <Input.Search allowClear placeholder={t('search')} style={{ width: 200 }} onChange={(e) => setSearch(e.target.value.trim())} data-testid="indicator-search" />
        </Space>}>
        <PeriodBanner data={data} i18n={i18n} />
        {rolled && <Alert type="info" showIcon style={{ marginBottom: 12 }} data-testid="rollup-note" title={t('rollUpNote')} />}
        {/* A roll-up of many counties can take a moment the first time: say it is coming rather than show an empty table. */}
        <Spin spinning={loading}>
          <IndicatorTable rows={(data?.indicators ?? []).filter((r) => !search || r.id.includes(search) || r.label.zh.includes(search) || r.label.en.toLowerCase().includes(search.toLowerCase()))} pageSize={20} extra={rolled ? undefined : {
            title: t('actions'),
            render: (r) => (
              <Space size={0}>
                {canSet && <Button type="link" size="small" onClick={() => open(r)} data-testid={`target-${r.id}`}>{t('editTarget')}</Button>}
                <Button type="link" size="small" onClick={() => setEvidence(r)}>{t('evidence')}</Button>
              </Space>
            ),
          }} />
        </Spin>
      </Card>
      <Card title={t('rules')} data-testid="rules">
        <Table<Rule> rowKey="id" size="small" pagination={false} dataSource={data?.rules ?? []} columns={[
          { title: t('rule'), key: 'l', render: (_, r) => L(r.label) },
          { title: t('leftSide'), key: 'left', align: 'right', render: (_, r) => r.left ?? '—' },
          { title: t('operator'), key: 'op', align: 'center', width: 70, render: (_, r) => <Typography.Text strong style={{ fontSize: 16 }}>{SYMBOL[r.op] ?? r.op}</Typography.Text> },
          { title: t('rightSide'), key: 'right', render: (_, r) => r.right ?? '—' },
          { title: t('result'), key: 's', render: (_, r) => (r.ok === null ? <Tag>{t('skip')}</Tag> : r.ok ? <Tag color="success">{t('pass')}</Tag> : <Tag color="error">{t('fail')}</Tag>) },
        ]} />
      </Card>
      <Modal open={!!editing} title={`${t('editTarget')} · ${editing ? L(editing.label) : ''}`} onCancel={() => setEditing(undefined)} onOk={() => void save()} okText={t('save')}>
        {editing && (
          <Descriptions size="small" column={1} bordered style={{ marginBottom: 16 }} data-testid="target-context" items={[
            { key: 'v', label: t('currentValue'), children: <>{figure(editing, i18n) ?? '—'} {editing.source === 'reported' ? <Tag color="purple">{t('fromReported')}</Tag> : editing.source === 'records' ? <Tag color="blue">{t('fromRecords')}</Tag> : null}</> },
            { key: 't', label: t('existingTarget'), children: editing.target ? <>{targetText(editing, i18n)} <StatusOf r={editing} /></> : t('noTarget') },
          ]} />
        )}
        <Form form={form} layout="vertical">
          <Form.Item name="org" label={t('targetOrgUnit')} rules={[{ required: true }]}>
            <Select data-testid="target-org" options={units.map((x) => ({ value: x.code, label: `${x.name}（${x.code}）` }))} />
          </Form.Item>
          <Form.Item name="op" label={t('operator')}><Select data-testid="target-op" options={OPS.map((o) => ({ value: o, label: opLabel(o, i18n) }))} /></Form.Item>
          <Form.Item name="value" label={`${t('target')}${editing?.unit === 'money' ? `（${t('wan')}）` : editing?.unit === 'percent' ? '（%）' : ''}`}><Input data-testid="target-value" /></Form.Item>
          <Form.Item noStyle shouldUpdate>{() => form.getFieldValue('op') === 'between' && <Form.Item name="valueMax" label={t('upperBound')}><Input /></Form.Item>}</Form.Item>
          <Form.Item name="note" label={t('note')}><Input.TextArea rows={2} /></Form.Item>
        </Form>
      </Modal>
      {evidence && <EvidenceDrawer county={county} year={year} target={{ indicator: evidence.id }} title={L(evidence.label)} onClose={() => setEvidence(undefined)} />}
    </Space>
  );
}
