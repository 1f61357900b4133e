import { CheckCircleOutlined, DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Progress, Result, Space, Table, Tag, Typography, Upload, type UploadFile } from 'antd';
import { useMemo, useState } from 'react';
import { api, ApiError, type ImportJob as Job, type ImportOutcome as Outcome, type Label } from '../../api.ts';
import { useApp } from '../../context.ts';
import { useI18n } from '../../i18n.ts';
import { mayWriteCounty } from '../reported/access.ts';
import { words } from './strings.ts';

const ACCEPT = '.xlsx,.csv';
const MAX_BYTES = 20 * 1024 * 1024;
const MAX_FILES = 10;

const POLL_MS = 500;
const sleep = (ms: number) => new Promise<void>((r) => { setTimeout(r, ms); });

/** An object URL for an annotated workbook sent back as base64. */
function workbookUrl(base64: string): string {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return URL.createObjectURL(new Blob([bytes], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }));
}

/**
 * 导入台账: choose files, check them (a dry run: per-ledger counts and every located problem, with the
 * files annotated for download), then import for real, all or nothing. The server decides who may.
 */
export function ImportPage() {
  const i18n = useI18n();
  const { L } = i18n;
  const w = useMemo(() => words(i18n.locale), [i18n.locale]);
  const { message } = App.useApp();
  const { county, year, meta, session, bump, counties } = useApp();
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [outcome, setOutcome] = useState<Outcome>();
  const [busy, setBusy] = useState<'check' | 'import'>();
  /** Why the files were refused as a whole (wrong type, too large, no permission): stays on the page until the files change. */
  const [refusal, setRefusal] = useState<Label>();
  /** Rows read so far by the running import. */
  const [progress, setProgress] = useState<number>();
  const labels = useMemo(() => new Map(meta.ledgers.map((l) => [l.kind, L(l.label)])), [meta, L]);
  const countyName = counties.find((c) => c.code === county)?.name ?? county;
  const links = useMemo(() => (outcome?.annotated ?? []).map((a) => ({ ...a, url: workbookUrl(a.base64) })), [outcome]);

  if (!mayWriteCounty(session.user, county)) return <Result status="info" title={w('notAllowed')} />;

  const run = async (dryRun: boolean) => {
    if (!files.length) { void message.warning(w('noFiles')); return; }
    const form = new FormData();
    for (const f of files) form.append('files', f.originFileObj as Blob, f.name);
    setBusy(dryRun ? 'check' : 'import');
    setRefusal(undefined);
    setProgress(0);
    try {
      // A background job: the page shows the rows read while the server works.
      let job = await api.upload<Job>(`/api/imports/${county}/${year}/jobs?dryRun=${dryRun}`, form);
      while (job.state === 'running') {
        await sleep(POLL_MS);
        job = await api.get<Job>(`/api/imports/jobs/${job.id}`);
        setProgress(job.rows);
      }
      if (job.state === 'failed' || !job.result) {
        setRefusal(job.error ?? { zh: '导入未完成', en: 'the import did not finish' });
        return;
      }
      setOutcome(job.result);
      if (job.result.committed) bump();
    } catch (e) {
      setRefusal(e instanceof ApiError ? e.msg : { zh: String(e), en: String(e) });
    } finally {
      setBusy(undefined);
      setProgress(undefined);
    }
  };

  const checkedClean = outcome && outcome.dryRun && outcome.errorCount === 0;
  const status = !outcome ? null
    : outcome.committed ? <Alert type="success" showIcon data-testid="import-status" title={w('imported', { rows: outcome.rows })} />
      : outcome.errorCount > 0 ? (
        <Alert type="error" showIcon data-testid="import-status"
          title={(outcome.dryRun ? w('checkedBad', { n: outcome.errorCount }) : w('importFailed', { n: outcome.errorCount }))
            + (outcome.errors.length < outcome.errorCount ? `（${w('shownOnly', { shown: outcome.errors.length })}）` : '')} />
      ) : <Alert type="info" showIcon data-testid="import-status" title={w('checkedOk', { rows: outcome.rows })} />;

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="import-page">
      <Card title={`${w('title')} · ${countyName} · ${year}`}>
        <Typography.Paragraph type="secondary">{w('intro')}</Typography.Paragraph>
        <div data-testid="import-files">
          <Upload.Dragger multiple accept={ACCEPT} fileList={files} maxCount={MAX_FILES}
            beforeUpload={(file) => {
              const okType = /\.(xlsx|csv)$/i.test(file.name);
              if (!okType) setRefusal({ zh: `${words('zh')('typeRefused')}：${file.name}`, en: `${words('en')('typeRefused')}: ${file.name}` });
              else if (file.size > MAX_BYTES) setRefusal({ zh: `${words('zh')('tooLarge')}：${file.name}`, en: `${words('en')('tooLarge')}: ${file.name}` });
              return okType && file.size <= MAX_BYTES ? false : Upload.LIST_IGNORE;
            }}
            onChange={({ fileList }) => { setFiles(fileList); setOutcome(undefined); if (fileList.length) setRefusal(undefined); }}>
            <p className="ant-upload-drag-icon"><InboxOutlined /></p>
            <p className="ant-upload-text">{w('drop')}</p>
            <p className="ant-upload-hint">{w('dropHint')}</p>
          </Upload.Dragger>
        </div>
        <Space style={{ marginTop: 16 }}>
          <Button type={checkedClean ? 'default' : 'primary'} data-testid="import-check" loading={busy === 'check'} disabled={!files.length || !!busy} onClick={() => void run(true)}>{w('check')}</Button>
          <Button type="primary" icon={<CheckCircleOutlined />} data-testid="import-confirm" loading={busy === 'import'} disabled={!checkedClean || !!busy} onClick={() => void run(false)}>{w('confirm')}</Button>
          <Button data-testid="import-clear" disabled={!files.length || !!busy} onClick={() => { setFiles([]); setOutcome(undefined); setRefusal(undefined); }}>{w('clear')}</Button>
        </Space>
        {progress !== undefined && (
          <div data-testid="import-progress" style={{ marginTop: 16 }}>
            <Progress percent={100} status="active" showInfo={false} />
            <Typography.Text type="secondary">{w('progress', { rows: progress })}</Typography.Text>
          </div>
        )}
        {refusal && (
          <Alert style={{ marginTop: 16 }} type="error" showIcon data-testid="import-refused" title={w('refused')} description={L(refusal)}
            closable onClose={() => setRefusal(undefined)} />
        )}
      </Card>

      {outcome && (
        <Card data-testid="import-result">
          <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
            {status}
            {outcome.summary.length > 0 && (
              <Table size="small" pagination={false} rowKey="kind" data-testid="import-summary" title={() => <b>{w('summary')}</b>}
                dataSource={outcome.summary}
                columns={[
                  { title: w('ledger'), dataIndex: 'kind', render: (k: string) => labels.get(k) ?? k },
                  { title: w('added'), dataIndex: 'added', align: 'right', render: (n: number) => <span data-testid="count-added">{n}</span> },
                  { title: w('updated'), dataIndex: 'updated', align: 'right' },
                  { title: w('unchanged'), dataIndex: 'unchanged', align: 'right' },
                ]} />
            )}
            {outcome.preview.length > 0 && (
              <Table size="small" pagination={false} rowKey="kind" data-testid="import-preview" title={() => <b>{w('preview')}</b>}
                dataSource={outcome.preview}
                columns={[
                  { title: w('ledger'), dataIndex: 'kind', render: (k: string) => labels.get(k) ?? k },
                  { title: w('matched'), dataIndex: 'matched', align: 'right', render: (n: number, p) => <span data-testid="count-matched">{n}{p.matchedLoosely ? `（${w('loosely', { n: p.matchedLoosely })}）` : ''}</span> },
                  { title: w('new'), dataIndex: 'new', align: 'right', render: (n: number) => <span data-testid="count-new">{n}</span> },
                  { title: w('ambiguous'), dataIndex: 'ambiguous', align: 'right', render: (n: number) => (n ? <Typography.Text type="danger" data-testid="count-ambiguous">{n}</Typography.Text> : <span data-testid="count-ambiguous">0</span>) },
                ]} />
            )}
            {links.length > 0 && (
              <Space wrap>
                {links.map((a, i) => (
                  <a key={a.file} href={a.url} download={a.name} data-testid={`import-annotated-${i}`}>
                    <DownloadOutlined /> {w('annotated')}：{a.name}（{w('marked', { n: a.marked })}）
                  </a>
                ))}
              </Space>
            )}
            {outcome.errors.length > 0 && (
              <Table size="small" data-testid="import-problems" title={() => <b>{w('problems')}</b>}
                rowKey={(p) => `${p.file}|${p.sheet}|${p.row}|${p.column}|${p.zh}`} dataSource={outcome.errors}
                pagination={{ pageSize: 20, hideOnSinglePage: true }}
                columns={[
                  { title: w('file'), dataIndex: 'file' },
                  { title: w('sheet'), dataIndex: 'sheet' },
                  { title: w('row'), dataIndex: 'row', width: 70, align: 'right' },
                  { title: w('column'), dataIndex: 'column', width: 180, render: (c: string | null, p) => (c ? `${c}${p.header ? ` · ${p.header}` : ''}` : '') },
                  { title: w('value'), dataIndex: 'value', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
                  { title: w('reason'), key: 'reason', render: (_: unknown, p) => L(p) },
                ]} />
            )}
            {outcome.findings.length > 0 && (
              <Alert type="warning" showIcon data-testid="import-findings" title={w('findings')}
                description={(
                  <>
                    <Typography.Paragraph>{w('findingsHint')}</Typography.Paragraph>
                    <ul style={{ margin: 0 }}>
                      {outcome.findings.map((f) => (
                        <li key={`${f.ledger}|${f.masked}`}>
                          <Tag>{labels.get(f.ledger) ?? f.ledger}</Tag>{L(f)}
                        </li>
                      ))}
                    </ul>
                  </>
                )} />
            )}
            {outcome.notices.length > 0 && (
              <Alert type="info" title={w('notices')} description={(
                <ul style={{ margin: 0 }}>
                  {outcome.notices.slice(0, 50).map((n, i) => <li key={i}>{n.file} · {n.sheet}{n.column ? ` · ${n.column}` : ''}：{L(n)}</li>)}
                </ul>
              )} />
            )}
          </Space>
        </Card>
      )}
    </Space>
  );
}
