import { App, Button, Card, Form, Input, Modal, Result, Select, Table, Tag } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, type UserView } from '../../api.ts';
import { useApp } from '../../context.ts';
import { showError } from '../../errors.tsx';
import { useI18n } from '../../i18n.ts';
import { navigate } from '../../router.ts';

/** Accounts, for system administrators: who acts for which units in which role; others get a plain 403. */
export function UsersPage() {
  const { session } = useApp();
  const { t } = useI18n();
  if (session.user.role !== 'admin')
    return <Result status="403" title={t('refused')} subTitle={t('usersAdminOnly')} data-testid="users-forbidden"
      extra={<Button type="primary" onClick={() => navigate('/')}>{t('backHome')}</Button>} />;
  return <UsersAdmin />;
}

function UsersAdmin() {
  const i18n = useI18n();
  const { t, L } = i18n;
  const { message } = App.useApp();
  const { meta } = useApp();
  const [users, setUsers] = useState<UserView[]>([]);
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm();
  const load = useCallback(() => { api.get<UserView[]>('/api/users').then(setUsers, (e) => showError(e, i18n)); }, []);
  useEffect(load, [load]);

  const save = async () => {
    const v = (await form.validateFields()) as { username: string; displayName: string; role: string; units?: string; ledgers?: string[]; password: string };
    try {
      await api.post('/api/users', {
        username: v.username, displayName: v.displayName, role: v.role, password: v.password,
        units: (v.units ?? '').split(/[,，\s]+/).filter(Boolean), ...(v.ledgers?.length ? { ledgers: v.ledgers } : {}),
      });
      void message.success(t('saved'));
      setOpen(false);
      load();
    } catch (e) { showError(e, i18n); }
  };

  return (
    <Card title={t('users')} extra={<Button type="primary" onClick={() => { form.resetFields(); setOpen(true); }}>{t('add')}</Button>}>
      <Table<UserView> rowKey="id" size="small" dataSource={users} pagination={{ pageSize: 20 }} columns={[
        { title: t('username'), dataIndex: 'username' },
        { title: t('displayName'), dataIndex: 'displayName' },
        { title: t('role'), key: 'role', render: (_, u) => <Tag>{L(meta.roles[u.role])}</Tag> },
        { title: t('units'), key: 'units', render: (_, u) => u.units.join('、') || '—' },
        { title: t('ledgers'), key: 'ledgers', render: (_, u) => (u.ledgers ?? []).map((k) => L(meta.ledgers.find((l) => l.kind === k)?.label)).join('、') || '—' },
      ]} />
      <Modal open={open} title={t('add')} onCancel={() => setOpen(false)} onOk={() => void save()} okText={t('save')}>
        <Form form={form} layout="vertical" initialValues={{ role: 'county_clerk' }}>
          <Form.Item name="username" label={t('username')} rules={[{ required: true, pattern: /^[A-Za-z0-9_.-]{3,40}$/ }]}><Input /></Form.Item>
          <Form.Item name="displayName" label={t('displayName')} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name="role" label={t('role')}><Select options={Object.entries(meta.roles).map(([k, l]) => ({ value: k, label: L(l) }))} /></Form.Item>
          <Form.Item name="units" label={t('units')} extra={i18n.locale === 'zh' ? '区划代码，多个用逗号分隔，如 623023 或 62' : 'division codes, comma-separated, e.g. 623023 or 62'}><Input /></Form.Item>
          <Form.Item noStyle shouldUpdate>{() => form.getFieldValue('role') === 'county_clerk' && (
            <Form.Item name="ledgers" label={t('ledgers')}><Select mode="multiple" options={meta.ledgers.map((l) => ({ value: l.kind, label: L(l.label) }))} /></Form.Item>
          )}</Form.Item>
          <Form.Item name="password" label={t('password')} rules={[{ required: true, min: 10 }]}><Input.Password autoComplete="new-password" /></Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
