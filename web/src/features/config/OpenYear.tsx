import { PlusOutlined } from '@ant-design/icons';
import { App, Button, InputNumber, Modal, Typography } from 'antd';
import { useState } from 'react';
import { api, type OpenedYear as Opened } from '../../api.ts';
import { useApp } from '../../context.ts';
import { showError } from '../../errors.tsx';
import { useI18n } from '../../i18n.ts';
import { words } from './strings.ts';


/** "开启新年度": opens the next assessment year of the current county; the year picker offers it at once. */
export function OpenYear({ onOpened }: { onOpened: (year: number) => void }) {
  const i18n = useI18n();
  const w = words(i18n.locale);
  const { message } = App.useApp();
  const { session, counties, county } = useApp();
  const current = counties.find((c) => c.code === county);
  const [open, setOpen] = useState(false);
  const [year, setYear] = useState<number>();
  const [busy, setBusy] = useState(false);
  const role = session.user.role;
  if (!current || !['admin', 'county_admin', 'county_clerk'].includes(role)) return null;
  const next = Math.max(...current.years, new Date().getFullYear() - 1) + 1;

  const submit = async () => {
    setBusy(true);
    try {
      const r = await api.post<Opened>(`/api/years/${county}/${year ?? next}/open`);
      void message.success(r.from === null ? w('openedEmpty', { year: r.year })
        : w('opened', { year: r.year, pairings: r.carried.pairings, villages: r.carried.demoVillages, projects: r.carried.projects, cumulative: r.carried.cumulative }));
      setOpen(false);
      onOpened(r.year);
    } catch (e) { showError(e, i18n); } finally { setBusy(false); }
  };

  return (
    <>
      <Button data-testid="open-year" icon={<PlusOutlined />} onClick={() => { setYear(next); setOpen(true); }}>{w('openYear')}</Button>
      <Modal open={open} title={w('openYearTitle', { county: current.name })} onCancel={() => setOpen(false)} onOk={() => void submit()}
        okButtonProps={{ loading: busy, 'data-testid': 'open-year-ok' }} destroyOnHidden>
        <Typography.Paragraph type="secondary">{w('openYearHelp')}</Typography.Paragraph>
        <InputNumber data-testid="open-year-input" min={2000} max={2100} value={year} onChange={(v) => setYear(v ?? undefined)} />
      </Modal>
    </>
  );
}
