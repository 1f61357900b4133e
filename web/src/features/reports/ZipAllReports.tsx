import { DownloadOutlined, FileZipOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Progress, Select, Space, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError, type Label, type ReportJob, type UnitName } from '../../api.ts';
import { useApp } from '../../context.ts';
import { useI18n } from '../../i18n.ts';
import { words } from './strings.ts';

const POLL_MS = 1000;
const sleep = (ms: number) => new Promise<void>((r) => { setTimeout(r, ms); });
const size = (n: number) => (n < 1024 * 1024 ? `${Math.max(1, Math.round(n / 1024))} KB` : `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`);

/** Roles that look after many counties, and so may want all their reports at once. */
const WIDE = ['province_user', 'east_user', 'admin'];

/**
 * The Word reports of every county under the user's province, prefecture or eastern district as
 * one zip, written by a background job on the server: progress with the county being written, a
 * way to cancel, the download once done, and the counties that failed.
 */
export function ZipAllReports() {
  const i18n = useI18n();
  const w = useMemo(() => words(i18n.locale), [i18n.locale]);
  const { session, year } = useApp();
  const user = session.user;
  const units = user.role === 'admin' && user.units.length === 0 ? [''] : user.units;
  const [unit, setUnit] = useState(units[0] ?? '');
  const [job, setJob] = useState<ReportJob>();
  const [error, setError] = useState<Label>();
  const [busy, setBusy] = useState(false);
  // The page may be left while a job runs: polling stops then (the job goes on on the server).
  const alive = useRef(true);
  useEffect(() => () => { alive.current = false; }, []);
  const wide = WIDE.includes(user.role) && units.length > 0;
  const [names, setNames] = useState<UnitName[]>([]);
  useEffect(() => { if (wide && user.units.length) api.get<UnitName[]>('/api/units/mine').then(setNames, () => setNames([])); }, [wide, user.units.join()]);

  if (!wide) return null;
  const nameOf = (u: string) => (u === '' ? w('zipNation') : names.find((n) => n.code === u)?.name ?? u);

  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      let j = await api.post<ReportJob>('/api/report-jobs', { unit, year, format: 'docx', appendix: 'annex' });
      setJob(j);
      while (j.state === 'running' && alive.current) {
        await sleep(POLL_MS);
        j = await api.get<ReportJob>(`/api/report-jobs/${j.id}`);
        if (alive.current) setJob(j);
      }
      if (j.state === 'failed' && j.error) setError(j.error);
    } catch (e) {
      setError(e instanceof ApiError ? e.msg : { zh: String(e), en: String(e) });
    } finally {
      if (alive.current) setBusy(false);
    }
  };
  const cancel = async () => {
    if (!job) return;
    try { setJob(await api.del<ReportJob>(`/api/report-jobs/${job.id}`)); } catch (e) { setError(e instanceof ApiError ? e.msg : { zh: String(e), en: String(e) }); }
  };

  const running = job?.state === 'running';
  const percent = job && job.total ? Math.floor((job.done / job.total) * 100) : 0;
  return (
    <Card size="small" title={w('zipTitle')} style={{ marginBottom: 16 }} data-testid="zip-all">
      <Space orientation="vertical" style={{ width: '100%' }} size="middle">
        <Typography.Text type="secondary">{w('zipIntro', { u: job?.unitName ?? nameOf(unit), y: year })}</Typography.Text>
        <Space wrap>
          {units.length > 1 && (
            <Select aria-label={w('zipUnit')} value={unit} onChange={setUnit} disabled={busy} style={{ minWidth: 160 }}
              options={units.map((u) => ({ value: u, label: `${nameOf(u)}${u ? `（${u}）` : ''}` }))} />
          )}
          <Button type={job?.state === 'done' ? 'default' : 'primary'} icon={<FileZipOutlined />} loading={busy && !running} disabled={running} onClick={() => { void start(); }} data-testid="zip-start">
            {job && !running ? w('zipAgain') : w('zipStart')}
          </Button>
          {running && <Button danger onClick={() => { void cancel(); }} data-testid="zip-cancel">{w('zipCancel')}</Button>}
          {job?.state === 'done' && (
            <Button type="primary" icon={<DownloadOutlined />} href={`/api/report-jobs/${job.id}/zip`} data-testid="zip-download">
              {w('zipDownload', { size: size(job.size ?? 0) })}
            </Button>
          )}
        </Space>
        {job && (
          <div data-testid="zip-progress">
            <Progress percent={job.state === 'done' ? 100 : percent} status={job.state === 'running' ? 'active' : job.state === 'done' ? 'success' : 'exception'}
              format={() => `${job.done}/${job.total}`} />
            <Typography.Text type="secondary" style={{ wordBreak: 'break-all' }} data-testid="zip-status">
              {job.state === 'running'
                ? [job.current.length ? w('zipRunning', { c: job.current.map((c) => c.name).join('、') }) : '', job.etaSeconds !== null ? w('zipEta', { s: job.etaSeconds }) : '']
                  .filter(Boolean).join(i18n.locale === 'zh' ? '，' : '; ')
                : job.state === 'done' ? w('zipDone', { n: job.done - job.failures.length })
                : job.state === 'cancelled' ? w('zipCancelled') : ''}
            </Typography.Text>
          </div>
        )}
        {job && job.failures.length > 0 && (
          <Alert type="warning" showIcon data-testid="zip-failures" title={w('zipFailures', { n: job.failures.length })}
            description={<ul style={{ margin: 0, paddingLeft: 18 }}>{job.failures.map((f) => <li key={f.code}>{f.name}（{f.code}）：{i18n.L(f)}</li>)}</ul>} />
        )}
        {error && <Alert type="error" showIcon title={i18n.L(error)} data-testid="zip-error" />}
      </Space>
    </Card>
  );
}
