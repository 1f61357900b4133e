import { App, Button, Card, Descriptions, Form, Input, Modal, Result, Select, Space, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, type NewPassword, type TokenView, type UserListEntry as UserView } from '../../api.ts';
import { useApp } from '../../context.ts';
import { showError } from '../../errors.tsx';
import { useI18n } from '../../i18n.ts';
import { useNarrow } from '../../responsive.ts';
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

/** Words of this page, Chinese first. */
const WORDS = {
  status: ['状态', 'Status'], active: ['正常', 'Active'], disabled: ['已停用', 'Disabled'], locked: ['已锁定', 'Locked'], demoTag: ['演示', 'Demo'],
  actions: ['操作', 'Actions'], edit: ['编辑', 'Edit'], disable: ['停用', 'Disable'], enable: ['启用', 'Enable'], unlock: ['解锁', 'Unlock'],
  reset: ['重设密码', 'Reset password'], tokens: ['API令牌', 'API tokens'], revoke: ['撤销', 'Revoke'], revoked: ['已撤销', 'Revoked'],
  readOnly: ['只读', 'Read-only'], readWrite: ['读写', 'Read-write'], allUnits: ['全部范围', 'All units'], noExpiry: ['不过期', 'No expiry'],
  expires: ['有效期至', 'Valid until'], lastUsed: ['最近使用', 'Last used'], never: ['从未', 'Never'],
  newPassword: ['新密码（只显示这一次，请转交本人）', 'New password (shown this once; pass it on to the user)'],
  confirmDisable: ['停用后该用户的会话结束、API令牌全部撤销。确定停用？', 'Disabling ends the user\'s sessions and revokes every API token. Disable?'],
  confirmReset: ['重设后原密码失效，会话结束、API令牌全部撤销。确定重设？', 'The old password stops working, sessions end and tokens are revoked. Reset?'],
} as const;

function UsersAdmin() {
  const i18n = useI18n();
  const { t, L } = i18n;
  const w = (k: keyof typeof WORDS) => WORDS[k][i18n.locale === 'zh' ? 0 : 1];
  const { message, modal } = App.useApp();
  const { meta } = useApp();
  const narrow = useNarrow();
  const [users, setUsers] = useState<UserView[]>([]);
  const [open, setOpen] = useState(false);
  const [editing, setEditing] = useState<UserView | null>(null);
  const [tokensOf, setTokensOf] = useState<{ user: UserView; tokens: TokenView[] } | null>(null);
  const [form] = Form.useForm();
  const [editForm] = Form.useForm();
  const load = useCallback(() => { api.get<UserView[]>('/api/users').then(setUsers, (e) => showError(e, i18n)); }, []);
  useEffect(load, [load]);
  const units = (text: string | undefined) => (text ?? '').split(/[,，、\s]+/).filter(Boolean);

  const save = async () => {
    const v = (await form.validateFields()) as { username: string; displayName: string; role: string; units?: string; ledgers?: string[]; password: string };
    try {
      await api.post('/api/users', {
        username: v.username, displayName: v.displayName, role: v.role, password: v.password,
        units: units(v.units), ...(v.ledgers?.length ? { ledgers: v.ledgers } : {}),
      });
      void message.success(t('saved'));
      setOpen(false);
      load();
    } catch (e) { showError(e, i18n); }
  };

  const change = async (u: UserView, body: Record<string, unknown>) => {
    try {
      await api.put(`/api/users/${encodeURIComponent(u.username)}`, body);
      void message.success(t('saved'));
      load();
      return true;
    } catch (e) { showError(e, i18n); return false; }
  };

  const saveEdit = async () => {
    if (!editing) return;
    const v = (await editForm.validateFields()) as { displayName: string; role: string; units?: string; ledgers?: string[] };
    if (await change(editing, { displayName: v.displayName, role: v.role, units: units(v.units), ledgers: v.role === 'county_clerk' && v.ledgers?.length ? v.ledgers : null })) setEditing(null);
  };

  const unlock = async (u: UserView) => {
    try { await api.post(`/api/users/${encodeURIComponent(u.username)}/unlock`); void message.success(t('saved')); load(); } catch (e) { showError(e, i18n); }
  };

  const reset = (u: UserView) => modal.confirm({
    title: `${w('reset')}：${u.displayName}`, content: w('confirmReset'),
    onOk: async () => {
      try {
        const r = await api.post<NewPassword>(`/api/users/${encodeURIComponent(u.username)}/password`);
        modal.info({ title: w('newPassword'), content: <Typography.Text copyable code data-testid="reset-password">{r.password}</Typography.Text> });
        load();
      } catch (e) { showError(e, i18n); }
    },
  });

  const toggle = (u: UserView) => (u.disabled
    ? void change(u, { disabled: false })
    : modal.confirm({ title: `${w('disable')}：${u.displayName}`, content: w('confirmDisable'), onOk: () => change(u, { disabled: true }) }));

  const showTokens = async (u: UserView) => {
    try { setTokensOf({ user: u, tokens: await api.get<TokenView[]>(`/api/users/${encodeURIComponent(u.username)}/tokens`) }); } catch (e) { showError(e, i18n); }
  };
  const revoke = async (u: UserView, id: number) => {
    try { await api.del(`/api/users/${encodeURIComponent(u.username)}/tokens/${id}`); await showTokens(u); } catch (e) { showError(e, i18n); }
  };

  const ledgerText = (u: UserView) => (u.ledgers ?? []).map((k) => L(meta.ledgers.find((l) => l.kind === k)?.label)).join('、');
  const status = (u: UserView) => <Space size={4}>
    {u.disabled ? <Tag color="default">{w('disabled')}</Tag> : u.lockedAt ? <Tag color="red">{w('locked')}</Tag> : <Tag color="green">{w('active')}</Tag>}
    {u.demo && <Tag color="blue">{w('demoTag')}</Tag>}
  </Space>;
  const actions = (u: UserView) => <>
    <Button type="link" size="small" data-testid={`edit-${u.username}`} onClick={() => { setEditing(u); editForm.setFieldsValue({ displayName: u.displayName, role: u.role, units: u.units.join(','), ledgers: u.ledgers ?? [] }); }}>{w('edit')}</Button>
    <Button type="link" size="small" danger={!u.disabled} data-testid={`toggle-${u.username}`} onClick={() => toggle(u)}>{u.disabled ? w('enable') : w('disable')}</Button>
    {u.lockedAt && <Button type="link" size="small" data-testid={`unlock-${u.username}`} onClick={() => void unlock(u)}>{w('unlock')}</Button>}
    <Button type="link" size="small" data-testid={`reset-${u.username}`} onClick={() => reset(u)}>{w('reset')}</Button>
    <Button type="link" size="small" onClick={() => void showTokens(u)}>{w('tokens')}</Button>
  </>;

  const unitText = (u: UserView) => (u.unitNames ?? u.units.map((code) => ({ code, name: null })))
    .map((x) => (x.name ? `${x.name}（${x.code}）` : x.code)).join('、') || w('allUnits');

  return (
    <Card title={t('users')} extra={<Button type="primary" data-testid="user-add" onClick={() => { form.resetFields(); setOpen(true); }}>{t('add')}</Button>}>
      {narrow ? (
        // Phones: one card per account, its name as the heading, the actions at the foot.
        <div data-testid="users-cards">
          {users.map((u) => (
            <Card key={u.id} size="small" style={{ marginBottom: 8 }} data-testid={`user-row-${u.username}`}
              title={<Typography.Text strong style={{ whiteSpace: 'normal' }}>{u.displayName}</Typography.Text>} extra={status(u)}
              actions={[<Space key="a" size={0} wrap style={{ justifyContent: 'center' }}>{actions(u)}</Space>]}>
              <Descriptions size="small" column={1} items={[
                { key: 'username', label: t('username'), children: u.username },
                { key: 'role', label: t('role'), children: L(meta.roles[u.role]) },
                { key: 'units', label: t('units'), children: unitText(u) },
                ...(u.ledgers?.length ? [{ key: 'ledgers', label: t('ledgers'), children: ledgerText(u) }] : []),
              ]} />
            </Card>
          ))}
        </div>
      ) : <Table<UserView> rowKey="id" size="small" dataSource={users} pagination={{ pageSize: 20 }} scroll={{ x: true }} data-testid="users-table"
        onRow={(u) => ({ 'data-testid': `user-row-${u.username}` }) as React.HTMLAttributes<HTMLElement>} columns={[
        { title: t('username'), dataIndex: 'username' },
        { title: t('displayName'), dataIndex: 'displayName' },
        { title: t('role'), key: 'role', render: (_, u) => <Tag>{L(meta.roles[u.role])}</Tag> },
        { title: t('units'), key: 'units', render: (_, u) => unitText(u) },
        { title: t('ledgers'), key: 'ledgers', render: (_, u) => ledgerText(u) || '—' },
        { title: w('status'), key: 'status', render: (_, u) => status(u) },
        { title: w('actions'), key: 'actions', render: (_, u) => <Space size={0} wrap>{actions(u)}</Space> },
      ]} />}
      <Modal open={open} title={t('add')} onCancel={() => setOpen(false)} onOk={() => void save()} okText={t('save')}
        okButtonProps={{ 'data-testid': 'user-save' } as Record<`data-${string}`, string>}>
        <Form form={form} name="user-add" layout="vertical" data-testid="user-form" initialValues={{ role: 'county_clerk' }}>
          <Form.Item name="username" label={t('username')} rules={[{ required: true, pattern: /^[A-Za-z0-9_.-]{3,40}$/ }]}><Input /></Form.Item>
          <Form.Item name="displayName" label={t('displayName')} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name="role" label={t('role')}><Select options={Object.entries(meta.roles).map(([k, l]) => ({ value: k, label: L(l) }))} /></Form.Item>
          <Form.Item name="units" label={t('units')} extra={i18n.locale === 'zh' ? '区划代码（县6位、市州4位、省2位），多个用逗号分隔' : 'division codes (county 6 digits, prefecture 4, province 2), comma-separated'}><Input /></Form.Item>
          <Form.Item noStyle shouldUpdate>{() => form.getFieldValue('role') === 'county_clerk' && (
            <Form.Item name="ledgers" label={t('ledgers')}><Select mode="multiple" options={meta.ledgers.map((l) => ({ value: l.kind, label: L(l.label) }))} /></Form.Item>
          )}</Form.Item>
          <Form.Item name="password" label={t('password')} rules={[{ required: true, min: 10 }]}><Input.Password autoComplete="new-password" /></Form.Item>
        </Form>
      </Modal>
      <Modal open={editing !== null} title={`${w('edit')}：${editing?.username ?? ''}`} onCancel={() => setEditing(null)} onOk={() => void saveEdit()} okText={t('save')}
        okButtonProps={{ 'data-testid': 'user-edit-save' } as Record<`data-${string}`, string>}>
        <Form form={editForm} name="user-edit" layout="vertical" data-testid="user-edit-form">
          <Form.Item name="displayName" label={t('displayName')} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name="role" label={t('role')}><Select options={Object.entries(meta.roles).map(([k, l]) => ({ value: k, label: L(l) }))} /></Form.Item>
          <Form.Item name="units" label={t('units')}><Input /></Form.Item>
          <Form.Item noStyle shouldUpdate>{() => editForm.getFieldValue('role') === 'county_clerk' && (
            <Form.Item name="ledgers" label={t('ledgers')}><Select mode="multiple" options={meta.ledgers.map((l) => ({ value: l.kind, label: L(l.label) }))} /></Form.Item>
          )}</Form.Item>
        </Form>
      </Modal>
      <Modal open={tokensOf !== null} title={`${w('tokens')}：${tokensOf?.user.username ?? ''}`} footer={null} onCancel={() => setTokensOf(null)} width={760}>
        <Table<TokenView> rowKey="id" size="small" pagination={false} dataSource={tokensOf?.tokens ?? []} scroll={{ x: true }} columns={[
          { title: t('displayName'), render: (_, k) => `${k.name}（${k.prefix}…）` },
          { title: w('status'), render: (_, k) => <Space size={4}>
            <Tag>{k.readOnly ? w('readOnly') : w('readWrite')}</Tag><Tag>{k.county ?? w('allUnits')}</Tag>{k.revokedAt && <Tag color="red">{w('revoked')}</Tag>}
          </Space> },
          { title: w('expires'), render: (_, k) => k.expiresAt?.slice(0, 10) ?? w('noExpiry') },
          { title: w('lastUsed'), render: (_, k) => k.lastUsedAt?.slice(0, 16).replace('T', ' ') ?? w('never') },
          { title: w('actions'), render: (_, k) => !k.revokedAt && <Button type="link" size="small" danger onClick={() => void revoke(tokensOf!.user, k.id)}>{w('revoke')}</Button> },
        ]} />
      </Modal>
    </Card>
  );
}
