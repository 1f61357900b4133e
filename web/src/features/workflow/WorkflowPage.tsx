import { App, Button, Card, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, type AuditEntry, type LedgerState, qs } from '../../api.ts';
import { useApp } from '../../context.ts';
import { showError } from '../../errors.tsx';
import { type Key, useI18n } from '../../i18n.ts';
import { navigate } from '../../router.ts';
import { actorLabel } from '../audit/describe.ts';

const COLOR: Record<string, string> = { draft: 'default', submitted: 'processing', approved: 'success', returned: 'warning' };

export function WorkflowPage() {
  const i18n = useI18n();
  const { t, L } = i18n;
  const { message } = App.useApp();
  const { meta, county, year, bump, version } = useApp();
  const [states, setStates] = useState<LedgerState[]>([]);
  const [returning, setReturning] = useState<LedgerState>();
  const [comment, setComment] = useState('');
  const [history, setHistory] = useState<{ ledger: LedgerState; rows: AuditEntry[] }>();

  const load = useCallback(() => {
    api.get<LedgerState[]>(`/api/workflow/${county}/${year}`).then(setStates, (e) => showError(e, i18n));
  }, [county, year]);
  useEffect(load, [load, version]);

  const step = async (s: LedgerState, action: string, text?: string) => {
    try {
      await api.post(`/api/workflow/${county}/${year}/${s.ledger}/${action}`, { comment: text ?? null });
      void message.success(`${L(s.label)}：${t(action as Key)}`);
      bump();
    } catch (e) { showError(e, i18n); }
  };

  const showHistory = async (s: LedgerState) => {
    try {
      const r = await api.get<{ rows: AuditEntry[] }>(`/api/audit${qs({ county, year, entity: 'ledger_state', action: 'workflow' })}`);
      setHistory({ ledger: s, rows: r.rows.filter((x) => x.entityId === `${county}/${year}/${s.ledger}`) });
    } catch (e) { showError(e, i18n); }
  };

  const bulk = async (action: 'submit' | 'approve') => {
    for (const s of states.filter((x) => x.allowed.includes(action))) await step(s, action);
  };

  return (
    <Card title={t('workflow')} data-testid="workflow"
      extra={<Space>
        <Button onClick={() => void bulk('submit')} disabled={!states.some((s) => s.allowed.includes('submit'))}>{t('submitAll')}</Button>
        <Button onClick={() => void bulk('approve')} disabled={!states.some((s) => s.allowed.includes('approve'))}>{t('approveAll')}</Button>
      </Space>}>
      <Table<LedgerState> rowKey="ledger" size="small" pagination={false} dataSource={states}
        columns={[
          { title: t('ledger'), key: 'label', render: (_, s) => <a onClick={() => navigate(`/ledgers/${s.ledger}`)}>{L(s.label)}</a> },
          { title: t('status'), key: 'status', render: (_, s) => <Tag color={COLOR[s.status]} data-testid={`state-${s.ledger}`}>{L(meta.statuses[s.status])}</Tag> },
          { title: t('comment'), dataIndex: 'comment', render: (c: string | null) => c ?? '' },
          { title: t('updatedBy'), key: 'updatedBy', render: (_, s) => (!s.updatedBy ? '' : s.updatedBy === 'system' ? t('systemActor') : <span title={s.updatedBy}>{s.updatedByName ?? s.updatedBy}</span>) },
          { title: t('updatedAt'), dataIndex: 'updatedAt', render: (c: string | null) => (c ? c.slice(0, 16).replace('T', ' ') : '') },
          {
            title: t('actions'), key: 'actions', render: (_, s) => (
              <Space size={0} wrap>
                {s.allowed.map((a) => (
                  <Button key={a} type="link" size="small" danger={a === 'return'} data-testid={`${a}-${s.ledger}`}
                    onClick={() => (a === 'return' ? (setComment(''), setReturning(s)) : void step(s, a))}>{t(a as Key)}</Button>
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
