import { App, Button, Card, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, type AuditEntry, type AuditList, type LedgerRecords, type LedgerState, qs } from '../../api.ts';
import { useApp } from '../../context.ts';
import { showError } from '../../errors.tsx';
import { type Key, useI18n } from '../../i18n.ts';
import { navigate } from '../../router.ts';
import { actorLabel } from '../audit/describe.ts';

const COLOR: Record<string, string> = { draft: 'default', submitted: 'processing', approved: 'success', returned: 'warning' };

export function WorkflowPage() {
  const i18n = useI18n();
  const { t, L } = i18n;
  const { message, modal } = App.useApp();
  const { meta, county, year, bump, version } = useApp();
  const [states, setStates] = useState<LedgerState[]>([]);
  const [returning, setReturning] = useState<LedgerState>();
  const [comment, setComment] = useState('');
  const [history, setHistory] = useState<{ ledger: LedgerState; rows: AuditEntry[] }>();
  const [counts, setCounts] = useState<Record<string, number>>({});

  const load = useCallback(() => {
    api.get<LedgerState[]>(`/api/workflow/${county}/${year}`).then(setStates, (e) => showError(e, i18n));
  }, [county, year]);
  useEffect(load, [load, version]);
  // Record counts per ledger, so that a submission says what it locks.
  useEffect(() => {
    if (!states.length) return;
    void Promise.all(states.map((s) => api.get<LedgerRecords>(`/api/ledgers/${s.ledger}/${county}/${year}${qs({ limit: 1 })}`)
      .then((r) => [s.ledger, r.total] as const, () => [s.ledger, -1] as const)))
      .then((all) => setCounts(Object.fromEntries(all.filter(([, n]) => n >= 0))));
  }, [states, county, year]);
  const completenessLabel = (c: string) => t(c === 'complete' ? 'completenessComplete' : 'completenessPartial');
  const summary = (s: LedgerState) => t('submitSummary', { l: L(s.label), n: counts[s.ledger] ?? '—', c: completenessLabel(s.completeness) });

  /** Submitting locks the ledger until a reviewer returns it: ask first, saying how many records and how complete. */
  const confirmSubmit = (list: LedgerState[], then: () => Promise<void>) => {
    modal.confirm({
      title: t('submitConfirmTitle', { n: list.length }),
      content: <div data-testid="submit-confirm">{list.map((s) => <div key={s.ledger}>{summary(s)}</div>)}<Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>{t('submitConfirmLock')}</Typography.Paragraph></div>,
      okText: t('submit'), cancelText: t('cancel'), onOk: then,
    });
  };

  const step = async (s: LedgerState, action: string, text?: string) => {
    try {
      await api.post(`/api/workflow/${county}/${year}/${s.ledger}/${action}`, { comment: text ?? null });
      void message.success(`${L(s.label)}：${t(action as Key)}`);
      bump();
    } catch (e) { showError(e, i18n); }
  };

  const showHistory = async (s: LedgerState) => {
    try {
      const r = await api.get<AuditList>(`/api/audit${qs({ county, year, entity: 'ledger_state', action: 'workflow' })}`);
      setHistory({ ledger: s, rows: r.rows.filter((x) => x.entityId === `${county}/${year}/${s.ledger}`) });
    } catch (e) { showError(e, i18n); }
  };

  const bulk = async (action: 'submit' | 'approve') => {
    const list = states.filter((x) => x.allowed.includes(action));
    const run = async () => { for (const s of list) await step(s, action); };
    if (action === 'submit') confirmSubmit(list, run);
    else await run();
  };

  return (
    <Card title={t('workflow')} data-testid="workflow"
      extra={<Space wrap>
        <Button onClick={() => void bulk('submit')} disabled={!states.some((s) => s.allowed.includes('submit'))}>{t('submitAll')}</Button>
        <Button onClick={() => void bulk('approve')} disabled={!states.some((s) => s.allowed.includes('approve'))}>{t('approveAll')}</Button>
      </Space>}>
      <Table<LedgerState> rowKey="ledger" size="small" pagination={false} dataSource={states}
        columns={[
          { title: t('ledger'), key: 'label', render: (_, s) => <a onClick={() => navigate(`/ledgers/${s.ledger}`)}>{L(s.label)}</a> },
          { title: t('status'), key: 'status', render: (_, s) => <Tag color={COLOR[s.status]} data-testid={`state-${s.ledger}`}>{L(meta.statuses[s.status])}</Tag> },
          { title: t('recordCount'), key: 'count', align: 'right', render: (_, s) => <span data-testid={`count-${s.ledger}`}>{counts[s.ledger] ?? ''}</span> },
          { title: t('completeness'), key: 'completeness', render: (_, s) => completenessLabel(s.completeness) },
          { title: t('comment'), dataIndex: 'comment', render: (c: string | null) => c ?? '' },
          { title: t('updatedBy'), key: 'updatedBy', render: (_, s) => (!s.updatedBy ? '' : s.updatedBy === 'system' ? t('systemActor') : <span title={s.updatedBy}>{s.updatedByName ?? s.updatedBy}</span>) },
          { title: t('updatedAt'), dataIndex: 'updatedAt', render: (c: string | null) => (c ? c.slice(0, 16).replace('T', ' ') : '') },
          {
            title: t('actions'), key: 'actions', render: (_, s) => (
              <Space size={0} wrap>
                {s.allowed.map((a) => (
                  <Button key={a} type="link" size="small" danger={a === 'return'} data-testid={`${a}-${s.ledger}`}
                    onClick={() => (a === 'return' ? (setComment(''), setReturning(s)) : a === 'submit' ? confirmSubmit([s], () => step(s, a)) : void step(s, a))}>{t(a as Key)}</Button>
                ))}
                <Button type="link" size="small" onClick={() => void showHistory(s)}>{t('history')}</Button>
              </Space>
            ),
          },
        ]} />
      <Modal open={!!returning} title={`${t('return')} · ${returning ? L(returning.label) : ''}`} okButtonProps={{ disabled: !comment.trim(), danger: true }}
        onCancel={() => setReturning(undefined)} onOk={() => { const s = returning!; setReturning(undefined); void step(s, 'return', comment); }}>
        <Typography.Paragraph>{t('returnComment')}</Typography.Paragraph>
        <Input.TextArea rows={3} value={comment} onChange={(e) => setComment(e.target.value)} maxLength={2000} data-testid="return-comment" />
      </Modal>
      <Modal open={!!history} footer={null} width={720} title={`${t('history')} · ${history ? L(history.ledger.label) : ''}`} onCancel={() => setHistory(undefined)}>
        <Table<AuditEntry> rowKey="id" size="small" pagination={false} dataSource={history?.rows ?? []} columns={[
          { title: t('updatedAt'), dataIndex: 'at', render: (x: string) => x.slice(0, 19).replace('T', ' ') },
          { title: t('actor'), key: 'actor', render: (_, r) => actorLabel(r, i18n) },
          { title: t('action'), dataIndex: 'action', render: (x: string) => t(x.replace('workflow.', '') as Key) },
          { title: t('comment'), key: 'c', render: (_, r) => String((r.after as { comment?: string } | null)?.comment ?? '') },
        ]} />
      </Modal>
    </Card>
  );
}
