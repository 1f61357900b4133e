import { Alert, App, Button, Card, Input, InputNumber, Select, Space, Switch, Table, Tabs, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, type ConfigView, type ReportTemplateView, type RoundingRule as Rule } from '../../api.ts';
import { useApp } from '../../context.ts';
import { showError } from '../../errors.tsx';
import { useI18n } from '../../i18n.ts';
import { listLabel, words } from './strings.ts';

type Item = ConfigView['categories'][number]['items'][number];
type Source = ConfigView['categories'][number]['source'];
/** An own element as the page edits it: a new one has no id yet. */
interface OwnElement { id?: string; zh: string; en: string; unit: string; unitWord?: { zh: string; en: string }; section: string; retired?: boolean; definedBy?: string }
/** The three ways rates may print, as the page offers them: whole percent is half-up at 0 decimals. */
type Mode = 'half_up' | 'truncate' | 'whole';
const modeOf = (r: Rule): Mode => (r.mode === 'half_up' && r.decimals === 0 ? 'whole' : r.mode);
const ruleOf = (mode: Mode, decimals: number): Rule => (mode === 'whole' ? { mode: 'half_up', decimals: 0 } : { mode, decimals });

/** Category lists and rounding policy per assessment year and unit; province users edit their province's. */
export function ConfigPage() {
  const i18n = useI18n();
  const w = words(i18n.locale);
  const { message } = App.useApp();
  const { session, county, year: appYear, bump } = useApp();
  const user = session.user;
  const [unit, setUnit] = useState<string>(() => (user.role === 'province_user' ? user.units[0] ?? '' : county ? county.slice(0, 2) : 'national'));
  const [year, setYear] = useState<number>(appYear || 2022);
  const [view, setView] = useState<ConfigView>();
  const [problem, setProblem] = useState<string>();
  const [list, setList] = useState<string>('labour_destination');
  const [items, setItems] = useState<Item[]>([]);
  const [mode, setMode] = useState<Mode>('half_up');
  const [decimals, setDecimals] = useState(2);
  const [exceptions, setExceptions] = useState<Array<{ id: string; mode: Mode; decimals: number }>>([]);
  const [own, setOwn] = useState<OwnElement[]>([]);
  const [tpl, setTpl] = useState<ReportTemplateView>();
  const [tplText, setTplText] = useState('');
  const [tplProblem, setTplProblem] = useState<string>();
  const canEdit = user.role === 'admin' || (user.role === 'province_user' && unit !== 'national' && user.units.some((u) => unit.startsWith(u)));
  const unitName = (u: string) => (u === '' || u === 'national' ? w('national') : u);
  const listName = (name: string) => listLabel(i18n.locale, name);

  const adopt = useCallback((v: ConfigView) => {
    setView(v);
    setOwn(v.elements.filter((e) => e.definedBy === v.unit).map(({ definedBy: _d, ...e }) => e));
    const own = v.ownRounding;
    const rates = own?.rates ?? v.rounding.rates;
    setMode(modeOf(rates));
    setDecimals(rates.decimals);
    setExceptions(Object.entries(own?.indicators ?? {}).map(([id, r]) => ({ id, mode: modeOf(r), decimals: r.decimals })));
  }, []);

  useEffect(() => {
    if (!/^(national|\d{2}|\d{4}|\d{6})$/.test(unit) || !year) return;
    setProblem(undefined);
    api.get<ConfigView>(`/api/config/${year}/${unit}`).then(adopt, (e: unknown) => {
      setView(undefined);
      setProblem(e instanceof ApiError ? i18n.L(e.msg) : String(e));
    });
    api.get<ReportTemplateView>(`/api/config/${year}/${unit}/report`).then(adoptTemplate, () => setTpl(undefined));
  }, [unit, year]);

  function adoptTemplate(v: ReportTemplateView) {
    setTpl(v);
    setTplText(v.yaml);
    setTplProblem(undefined);
  }
  const setOwnAt = (i: number, patch: Partial<OwnElement>) => setOwn((xs) => xs.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const saveElements = async () => {
    try {
      adopt(await api.put<ConfigView>(`/api/config/${year}/${unit}/elements`, { elements: own }));
      void message.success(w('savedElements', { unit: unitName(unit), year }));
      bump();
    } catch (e) { showError(e, i18n); }
  };
  const saveTemplate = async (inherit = false) => {
    try {
      adoptTemplate(await api.put<ReportTemplateView>(`/api/config/${year}/${unit}/report`, inherit ? { inherit: true } : { yaml: tplText }));
      void message.success(w(inherit ? 'templateInherited' : 'templateSaved', { unit: unitName(unit), year }));
      bump();
    } catch (e) {
      // The server names every problem at once (line, block, sentence); they stay beside the text.
      setTplProblem(e instanceof ApiError ? i18n.L(e.msg) : String(e));
    }
  };

  const current = view?.categories.find((c) => c.name === list);
  useEffect(() => { setItems(current ? current.items.map((i) => ({ ...i })) : []); }, [current]);

  const setItem = (i: number, patch: Partial<Item>) => setItems((xs) => xs.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const known = new Set(current?.items.map((i) => i.value) ?? []);

  const saveList = async (inherit = false) => {
    try {
      adopt(await api.put<ConfigView>(`/api/config/${year}/${unit}/categories/${list}`, inherit ? { inherit: true } : { items }));
      void message.success(w(inherit ? 'inheritedList' : 'savedList', { list: listName(list), unit: unitName(unit), year }));
      bump();
    } catch (e) { showError(e, i18n); }
  };
  const saveRounding = async (inherit = false) => {
    try {
      const body = inherit ? { inherit: true } : {
        rates: ruleOf(mode, decimals),
        ...(exceptions.length ? { indicators: Object.fromEntries(exceptions.filter((x) => x.id.trim()).map((x) => [x.id.trim(), ruleOf(x.mode, x.decimals)])) } : {}),
      };
      adopt(await api.put<ConfigView>(`/api/config/${year}/${unit}/rounding`, body));
      void message.success(w('savedRounding', { unit: unitName(unit), year }));
      bump();
    } catch (e) { showError(e, i18n); }
  };

  const source = (s: Source | undefined) => (!s ? null : s.stored
    ? <Tag color="blue" data-testid="config-source">{w('storedBy', { unit: unitName(s.unit), year: s.year, version: s.version, by: s.updatedBy })}</Tag>
    : <Tag data-testid="config-source">{w('shipped')}</Tag>);
  const ruleText = (r: Rule) => `${w(modeOf(r) === 'whole' ? 'whole' : r.mode === 'truncate' ? 'truncate' : 'halfUp')}${modeOf(r) === 'whole' ? '' : ` ${r.decimals}`}`;
  const modeOptions = [
    { value: 'half_up', label: w('halfUp') }, { value: 'truncate', label: w('truncate') }, { value: 'whole', label: w('whole') },
  ];

  return (
    <Card title={w('title')} data-testid="config-page">
      <Typography.Paragraph type="secondary">{w('intro')}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 16 }}>
        <span>{w('unit')}</span>
        <Input data-testid="config-unit" style={{ width: 130 }} value={unit} onChange={(e) => setUnit(e.target.value.trim())} title={w('unitHelp')} />
        <span>{w('year')}</span>
        <InputNumber data-testid="config-year" min={2000} max={2100} value={year} onChange={(v) => v && setYear(v)} />
      </Space>
      {problem && <Alert type="warning" showIcon data-testid="config-problem" message={problem} style={{ marginBottom: 16 }} />}
      {!canEdit && <Alert type="info" showIcon message={w('readOnly')} style={{ marginBottom: 16 }} />}
      {view && (
        <Tabs items={[
          {
            key: 'lists', label: w('lists'),
            children: (
              <>
                <Space wrap style={{ marginBottom: 12 }}>
                  <span>{w('list')}</span>
                  <Select data-testid="config-list" style={{ minWidth: 220 }} value={list} onChange={setList} showSearch
                    options={view.categories.map((c) => ({ value: c.name, label: listName(c.name) }))} />
                  {source(current?.source)}
                </Space>
                <Table<Item & { i: number }> size="small" pagination={false} rowKey="i" data-testid="config-items"
                  dataSource={items.map((x, i) => ({ ...x, i }))}
                  columns={[
                    {
                      title: w('value'), dataIndex: 'value',
                      render: (_v, r) => (known.has(r.value) && current?.items[r.i]?.value === r.value
                        ? <code>{r.value}</code>
                        : <Input data-testid={`item-value-${r.i}`} value={r.value} disabled={!canEdit} onChange={(e) => setItem(r.i, { value: e.target.value.trim() })} />),
                    },
                    { title: w('zh'), dataIndex: 'zh', render: (_v, r) => <Input data-testid={`item-zh-${r.i}`} value={r.zh} disabled={!canEdit} onChange={(e) => setItem(r.i, { zh: e.target.value })} /> },
                    { title: w('en'), dataIndex: 'en', render: (_v, r) => <Input data-testid={`item-en-${r.i}`} value={r.en} disabled={!canEdit} onChange={(e) => setItem(r.i, { en: e.target.value })} /> },
                    { title: w('retired'), dataIndex: 'retired', width: 80, render: (_v, r) => <Switch data-testid={`item-retired-${r.i}`} size="small" checked={!!r.retired} disabled={!canEdit} onChange={(on) => setItem(r.i, { retired: on || undefined })} /> },
                    {
                      title: '', key: 'x', width: 80,
                      render: (_v, r) => <Button size="small" danger disabled={!canEdit} data-testid={`item-remove-${r.i}`} onClick={() => setItems((xs) => xs.filter((_x, j) => j !== r.i))}>{w('remove')}</Button>,
                    },
                  ]} />
                <Space style={{ marginTop: 12 }}>
                  <Button data-testid="config-add-item" disabled={!canEdit} onClick={() => setItems((xs) => [...xs, { value: '', zh: '', en: '' }])}>{w('addValue')}</Button>
                  <Button type="primary" data-testid="config-save-list" disabled={!canEdit} onClick={() => void saveList()}>{w('saveList')}</Button>
                  <Button data-testid="config-inherit-list" disabled={!canEdit || !current?.own} onClick={() => void saveList(true)}>{w('inherit')}</Button>
                </Space>
              </>
            ),
          },
          {
            key: 'rounding', label: w('rounding'),
            children: (
              <>
                <Typography.Paragraph data-testid="rounding-effective">
                  {w('effective', { rule: ruleText(view.rounding.rates) })}
                  {Object.entries(view.rounding.indicators).map(([id, r]) => <Tag key={id} style={{ marginLeft: 8 }}>{id}：{ruleText(r)}</Tag>)}
                  {' '}{source(view.ownRounding?.source)}
                </Typography.Paragraph>
                <Space wrap style={{ marginBottom: 12 }}>
                  <span>{w('mode')}</span>
                  <Select data-testid="rounding-mode" style={{ width: 150 }} value={mode} onChange={setMode} options={modeOptions} disabled={!canEdit} />
                  {mode !== 'whole' && <><span>{w('decimals')}</span>
                    <InputNumber data-testid="rounding-decimals" min={0} max={6} value={decimals} onChange={(v) => setDecimals(v ?? 0)} disabled={!canEdit} /></>}
                </Space>
                <Typography.Title level={5}>{w('exceptions')}</Typography.Title>
                {exceptions.map((x, i) => (
                  <Space key={i} style={{ display: 'flex', marginBottom: 8 }}>
                    <Input data-testid={`exception-id-${i}`} style={{ width: 280 }} placeholder={w('indicator')} value={x.id} disabled={!canEdit}
                      onChange={(e) => setExceptions((xs) => xs.map((y, j) => (j === i ? { ...y, id: e.target.value } : y)))} />
                    <Select data-testid={`exception-mode-${i}`} style={{ width: 150 }} value={x.mode} options={modeOptions} disabled={!canEdit}
                      onChange={(m) => setExceptions((xs) => xs.map((y, j) => (j === i ? { ...y, mode: m } : y)))} />
                    {x.mode !== 'whole' && <InputNumber data-testid={`exception-decimals-${i}`} min={0} max={6} value={x.decimals} disabled={!canEdit}
                      onChange={(v) => setExceptions((xs) => xs.map((y, j) => (j === i ? { ...y, decimals: v ?? 0 } : y)))} />}
                    <Button size="small" danger disabled={!canEdit} onClick={() => setExceptions((xs) => xs.filter((_y, j) => j !== i))}>{w('remove')}</Button>
                  </Space>
                ))}
                <Space style={{ marginTop: 8 }}>
                  <Button data-testid="exception-add" disabled={!canEdit} onClick={() => setExceptions((xs) => [...xs, { id: '', mode: 'half_up', decimals: 2 }])}>{w('addException')}</Button>
                  <Button type="primary" data-testid="rounding-save" disabled={!canEdit} onClick={() => void saveRounding()}>{w('saveRounding')}</Button>
                  <Button data-testid="rounding-inherit" disabled={!canEdit || !view.ownRounding} onClick={() => void saveRounding(true)}>{w('inherit')}</Button>
                </Space>
              </>
            ),
          },
          {
            key: 'elements', label: w('elements'),
            children: (
              <>
                <Typography.Paragraph type="secondary">{w('elementsHelp')}</Typography.Paragraph>
                {view.elements.some((e) => e.definedBy !== view.unit) && (
                  <Typography.Paragraph data-testid="inherited-elements">
                    {w('inheritedElements')}
                    {view.elements.filter((e) => e.definedBy !== view.unit).map((e) => <Tag key={e.id} style={{ marginLeft: 8 }}>{e.zh}（{unitName(e.definedBy ?? '')}）</Tag>)}
                  </Typography.Paragraph>
                )}
                <Table<OwnElement & { i: number }> size="small" pagination={false} rowKey="i" data-testid="own-elements" scroll={{ x: 760 }}
                  dataSource={own.map((x, i) => ({ ...x, i }))}
                  columns={[
                    { title: w('zh'), dataIndex: 'zh', render: (_v, r) => <Input data-testid={`own-zh-${r.i}`} value={r.zh} disabled={!canEdit} onChange={(e) => setOwnAt(r.i, { zh: e.target.value })} /> },
                    { title: w('en'), dataIndex: 'en', render: (_v, r) => <Input data-testid={`own-en-${r.i}`} value={r.en} disabled={!canEdit} onChange={(e) => setOwnAt(r.i, { en: e.target.value })} /> },
                    {
                      title: w('unitOf'), dataIndex: 'unit', width: 170,
                      render: (_v, r) => (
                        <Space.Compact>
                          <Select data-testid={`own-unit-${r.i}`} style={{ width: 90 }} disabled={!canEdit} value={r.unitWord ? 'word' : r.unit} showSearch optionFilterProp="label"
                            onChange={(u: string) => setOwnAt(r.i, u === 'word' ? { unit: 'items', unitWord: { zh: '', en: '' } } : { unit: u, unitWord: undefined })}
                            options={[{ value: 'word', label: w('ownWord') }, ...view.units.filter((u) => u.key !== 'yuan').map((u) => ({ value: u.key, label: i18n.locale === 'zh' ? u.zh : u.en }))]} />
                          {r.unitWord && <Input data-testid={`own-word-${r.i}`} style={{ width: 70 }} placeholder="公里/km" disabled={!canEdit}
                            value={`${r.unitWord.zh}${r.unitWord.en ? `/${r.unitWord.en}` : ''}`}
                            onChange={(e) => { const [zh, en] = e.target.value.split('/'); setOwnAt(r.i, { unitWord: { zh: (zh ?? '').trim(), en: (en ?? '').trim() } }); }} />}
                        </Space.Compact>
                      ),
                    },
                    {
                      title: w('section'), dataIndex: 'section', width: 150,
                      render: (_v, r) => <Select data-testid={`own-section-${r.i}`} style={{ width: 140 }} disabled={!canEdit} value={r.section || undefined} onChange={(v: string) => setOwnAt(r.i, { section: v })}
                        options={view.sections.map((x) => ({ value: x.key, label: x.zh }))} />,
                    },
                    { title: w('retired'), dataIndex: 'retired', width: 70, render: (_v, r) => <Switch size="small" data-testid={`own-retired-${r.i}`} checked={!!r.retired} disabled={!canEdit} onChange={(on) => setOwnAt(r.i, { retired: on || undefined })} /> },
                    { title: '', key: 'x', width: 70, render: (_v, r) => <Button size="small" danger disabled={!canEdit} onClick={() => setOwn((xs) => xs.filter((_x, j) => j !== r.i))}>{w('remove')}</Button> },
                  ]} />
                <Space wrap style={{ marginTop: 12 }}>
                  <Button data-testid="own-add" disabled={!canEdit} onClick={() => setOwn((xs) => [...xs, { zh: '', en: '', unit: 'items', section: 'other' }])}>{w('addElement')}</Button>
                  <Button type="primary" data-testid="own-save" disabled={!canEdit} onClick={() => void saveElements()}>{w('saveElements')}</Button>
                </Space>
              </>
            ),
          },
          {
            key: 'report', label: w('template'),
            children: tpl ? (
              <>
                <Typography.Paragraph type="secondary">{w('templateHelp')}</Typography.Paragraph>
                <Space wrap style={{ marginBottom: 8 }}>
                  <Tag color={tpl.source.from === 'stored' ? 'blue' : undefined} data-testid="template-source">
                    {tpl.source.from === 'stored'
                      ? w('storedBy', { unit: unitName(tpl.source.unit), year: tpl.source.year, version: tpl.source.version, by: tpl.source.updatedBy })
                      : tpl.source.unit ? w('shippedFor', { unit: unitName(tpl.source.unit) }) : w('shipped')}
                  </Tag>
                </Space>
                {tplProblem && <Alert type="error" showIcon data-testid="template-problem" message={tplProblem} style={{ marginBottom: 8, whiteSpace: 'pre-wrap' }} />}
                <Input.TextArea data-testid="template-text" value={tplText} disabled={!canEdit} onChange={(e) => setTplText(e.target.value)}
                  autoSize={{ minRows: 12, maxRows: 30 }} spellCheck={false} style={{ fontFamily: 'monospace', fontSize: 13 }} />
                <Space wrap style={{ marginTop: 12 }}>
                  <Button type="primary" data-testid="template-save" disabled={!canEdit || tplText === tpl.yaml} onClick={() => void saveTemplate()}>{w('saveTemplate')}</Button>
                  <Button data-testid="template-reset" disabled={tplText === tpl.yaml} onClick={() => adoptTemplate(tpl)}>{w('discard')}</Button>
                  <Button data-testid="template-inherit" disabled={!canEdit || !tpl.own} onClick={() => void saveTemplate(true)}>{w('inherit')}</Button>
                </Space>
              </>
            ) : null,
          },
        ]} />
      )}
    </Card>
  );
}
