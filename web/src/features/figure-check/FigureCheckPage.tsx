import { UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Checkbox, Col, Empty, Input, Row, Space, Tag, Typography, Upload } from 'antd';
import { useMemo, useState } from 'react';
import { api, type DocumentAudit as Audit, type Label as Bi } from '../../api.ts';
import { useApp } from '../../context.ts';
import { showError } from '../../errors.tsx';
import { useI18n } from '../../i18n.ts';
import { type Word, words } from './strings.ts';


type RelationView = Audit['relations'][number];

const COLOR = { holds: 'green', holds_other_rounding: 'gold', fails: 'red' } as const;
const ACCEPT = '.txt,.md,.docx';

function toBase64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * 数字核查: a report uploaded or pasted, its text on the left with every figure marked where it stands
 * (red where a relation fails), the relations and the comparison with the data on the right.
 */
export function FigureCheckPage() {
  const i18n = useI18n();
  const w = words(i18n.locale);
  const { county, year, counties } = useApp();
  const [text, setText] = useState('');
  const [file, setFile] = useState<{ name: string; base64: string } | null>(null);
  const [against, setAgainst] = useState(false);
  const [busy, setBusy] = useState(false);
  const [audit, setAudit] = useState<Audit | null>(null);
  const [focus, setFocus] = useState<number | null>(null);
  const countyName = counties.find((c) => c.code === county)?.name ?? county;

  const run = async () => {
    setBusy(true);
    try {
      const body = file ? { name: file.name, base64: file.base64 } : { name: 'pasted.txt', text };
      setAudit(await api.post<Audit>(against ? `/api/figure-audit/${county}/${year}` : '/api/figure-audit', body));
      setFocus(null);
    } catch (e) {
      showError(e, i18n);
    } finally {
      setBusy(false);
    }
  };

  // Each figure's state: failing beats other rounding beats holding; figures in no relation stay plain.
  const state = useMemo(() => {
    const m = new Map<number, RelationView['verdict']>();
    const rank = { holds: 0, holds_other_rounding: 1, fails: 2 };
    for (const r of audit?.relations ?? []) for (const f of r.figures) if (!m.has(f.id) || rank[r.verdict] > rank[m.get(f.id)!]) m.set(f.id, r.verdict);
    return m;
  }, [audit]);
  const contradicted = useMemo(() => new Set((audit?.data?.checks ?? []).filter((c) => c.verdict === 'contradicted').map((c) => c.figure)), [audit]);
  const focused = focus === null ? new Set<number>() : new Set(audit?.relations[focus]?.figures.map((f) => f.id) ?? []);

  const marked = useMemo(() => {
    if (!audit) return null;
    const parts: React.ReactNode[] = [];
    let at = 0;
    for (const f of audit.figures) {
      if (f.location.start < at) continue;
      parts.push(audit.text.slice(at, f.location.start));
      const v = state.get(f.id);
      const bad = v === 'fails' || contradicted.has(f.id);
      parts.push(
        <mark key={f.id} data-testid={`figure-${f.id}`} data-verdict={v ?? 'none'} id={`fig-${f.id}`}
          style={{ background: bad ? '#ffccc7' : v === 'holds_other_rounding' ? '#fff1b8' : v ? '#d9f7be' : '#f0f0f0', outline: focused.has(f.id) ? '2px solid #1f5fa8' : undefined, padding: '0 1px', borderRadius: 2 }}>
          {audit.text.slice(f.location.start, f.location.end)}
        </mark>,
      );
      at = f.location.end;
    }
    parts.push(audit.text.slice(at));
    return parts;
  }, [audit, state, contradicted, focused]);

  const show = (i: number) => {
    setFocus(i);
    const f = audit?.relations[i]?.figures[0];
    if (f) document.getElementById(`fig-${f.id}`)?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  };
  const L = (b: Bi) => (i18n.locale === 'zh' ? b.zh : b.en);

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Typography.Title level={3} style={{ margin: 0 }}>{w('title')}</Typography.Title>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>{w('intro')}</Typography.Paragraph>
      <Card size="small">
        <Space direction="vertical" style={{ width: '100%' }}>
          <Space wrap>
            <Upload accept={ACCEPT} maxCount={1} showUploadList={false} beforeUpload={(f) => {
              void f.arrayBuffer().then((b) => setFile({ name: f.name, base64: toBase64(b) }));
              return false;
            }}>
              <Button icon={<UploadOutlined />} data-testid="figure-upload">{w('upload')}</Button>
            </Upload>
            {file && <Tag closable onClose={() => setFile(null)}>{file.name}</Tag>}
            <Checkbox checked={against} onChange={(e) => setAgainst(e.target.checked)} data-testid="figure-against">{w('against', { county: countyName, year })}</Checkbox>
          </Space>
          {!file && <Input.TextArea rows={6} value={text} onChange={(e) => setText(e.target.value)} placeholder={w('paste')} data-testid="figure-text" />}
          <Space>
            <Button type="primary" loading={busy} disabled={!file && !text.trim()} onClick={() => void run()} data-testid="figure-run">{w('run')}</Button>
            <Button onClick={() => { setText(''); setFile(null); setAudit(null); }}>{w('clear')}</Button>
          </Space>
        </Space>
      </Card>
      {audit && (
        <>
          <Alert type={audit.failures || audit.data?.contradicted ? 'error' : 'success'} showIcon data-testid="figure-summary"
            message={`${w('summary', { figures: audit.figures.length, relations: audit.relations.length, failures: audit.failures })} ${audit.relations.length === 0 ? w('none') : audit.failures === 0 ? w('allHold') : ''}`} />
          <Row gutter={16}>
            <Col xs={24} lg={14}>
              <Card size="small" title={`${w('text')} · ${audit.name}`}>
                <div data-testid="figure-marked" style={{ whiteSpace: 'pre-wrap', lineHeight: 1.9, maxHeight: '70vh', overflow: 'auto', fontSize: 14 }}>{marked}</div>
              </Card>
            </Col>
            <Col xs={24} lg={10}>
              <Card size="small" title={w('relations')} style={{ marginBottom: 16 }}>
                {audit.relations.length === 0 ? <Empty description={w('none')} /> : (
                  <Space direction="vertical" style={{ width: '100%', maxHeight: '60vh', overflow: 'auto' }}>
                    {audit.relations.map((r, i) => (
                      <div key={i} data-testid="figure-relation" data-verdict={r.verdict} onClick={() => show(i)}
                        style={{ cursor: 'pointer', padding: 8, borderRadius: 4, border: `1px solid ${focus === i ? '#1f5fa8' : '#f0f0f0'}`, background: r.verdict === 'fails' ? '#fff2f0' : undefined }}>
                        <Space size={4} wrap>
                          <Tag color={COLOR[r.verdict]}>{w(r.verdict)}{r.rounding ? `（${w(r.rounding)}）` : ''}</Tag>
                          <Typography.Text strong>{w(r.kind)}</Typography.Text>
                          <Typography.Text type="secondary">{w('location', { line: r.location.line, column: r.location.column })}</Typography.Text>
                        </Space>
                        <div>{L(r.detail)}</div>
                        {r.correction && <div><Typography.Text type="danger">{w('correction')}：{L(r.correction)}</Typography.Text></div>}
                      </div>
                    ))}
                  </Space>
                )}
              </Card>
              {audit.data && (
                <Card size="small" title={w('data')}>
                  <Typography.Paragraph>{w('dataSummary', { supported: audit.data.supported, contradicted: audit.data.contradicted, unchecked: audit.data.unchecked })}</Typography.Paragraph>
                  <Space direction="vertical" style={{ width: '100%', maxHeight: '40vh', overflow: 'auto' }}>
                    {audit.data.checks.filter((c) => c.verdict !== 'unchecked').map((c) => (
                      <div key={c.figure} data-testid="figure-data" data-verdict={c.verdict}>
                        <Tag color={c.verdict === 'supported' ? 'green' : 'red'}>{w(c.verdict as Word)}</Tag>{L(c.detail)}
                        {c.trace?.map((t) => <div key={t}><Typography.Text type="secondary">{t}</Typography.Text></div>)}
                      </div>
                    ))}
                  </Space>
                </Card>
              )}
            </Col>
          </Row>
        </>
      )}
    </Space>
  );
}
