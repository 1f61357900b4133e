import { Alert, App, Button, Card, Descriptions, Form, Input, List, Popconfirm, Space, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, type NewToken, type TokenView as Token } from '../../api.ts';
import { useApp } from '../../context.ts';
import { showError } from '../../errors.tsx';
import { useI18n } from '../../i18n.ts';


export function AccountPage() {
  const i18n = useI18n();
  const { t, L } = i18n;
  const { message } = App.useApp();
  const { session } = useApp();
  const [tokens, setTokens] = useState<Token[]>([]);
  const [fresh, setFresh] = useState<string>();
  const [pwForm] = Form.useForm<{ current: string; next: string; confirm: string }>();
  const [changing, setChanging] = useState(false);
  const changePassword = async (v: { current: string; next: string }) => {
    setChanging(true);
    try {
      await api.put('/api/session/password', { current: v.current, next: v.next });
      pwForm.resetFields();
      void message.success(t('passwordChanged'));
    } catch (e) {
      if (e instanceof ApiError && e.code === 'INVALID' && Array.isArray(e.details)) {
        const problems = e.details as Array<{ field: string; zh: string; en: string }>;
        pwForm.setFields(problems.filter((p) => p.field === 'current' || p.field === 'next').map((p) => ({ name: p.field as 'current' | 'next', errors: [i18n.locale === 'zh' ? p.zh : p.en] })));
      } else showError(e, i18n);
    } finally {
      setChanging(false);
    }
  };
  const load = useCallback(() => { api.get<Token[]>('/api/tokens').then(setTokens, (e) => showError(e, i18n)); }, []);
  useEffect(load, [load]);
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={16}>
      <Card title={t('account')}>
        <Descriptions column={1} size="small" items={[
          { key: 'u', label: t('username'), children: session.user.username },
          { key: 'r', label: t('role'), children: L(session.roleLabel) },
          { key: 'n', label: t('units'), children: session.user.units.join('、') || '—' },
        ]} />
      </Card>
      <Card title={t('changePassword')} data-testid="change-password">
        <Form form={pwForm} layout="vertical" style={{ maxWidth: 420 }} onFinish={(v) => void changePassword(v)} requiredMark={false}>
          <Form.Item name="current" label={t('currentPassword')} rules={[{ required: true, message: t('required') }]}>
            <Input.Password autoComplete="current-password" data-testid="password-current" />
          </Form.Item>
          <Form.Item name="next" label={t('newPassword')} extra={t('passwordRule')}
            rules={[{ required: true, message: t('required') }, { min: 10, message: t('passwordRule') }]}>
            <Input.Password autoComplete="new-password" data-testid="password-next" />
          </Form.Item>
          <Form.Item name="confirm" label={t('confirmPassword')} dependencies={['next']}
            rules={[{ required: true, message: t('required') }, ({ getFieldValue }) => ({
              validator: (_, v) => (!v || v === getFieldValue('next') ? Promise.resolve() : Promise.reject(new Error(t('passwordMismatch')))),
            })]}>
            <Input.Password autoComplete="new-password" data-testid="password-confirm" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={changing} data-testid="password-save">{t('changePassword')}</Button>
        </Form>
      </Card>
      <Card title={t('tokens')}>
        <Form layout="inline" onFinish={async (v: { name: string }) => {
          try {
            const r = await api.post<NewToken>('/api/tokens', v);
            setFresh(r.token);
            void message.success(t('saved'));
            load();
          } catch (e) { showError(e, i18n); }
        }}>
          <Form.Item name="name" label={t('tokenName')} rules={[{ required: true }]}><Input style={{ width: 240 }} /></Form.Item>
          <Button type="primary" htmlType="submit">{t('createToken')}</Button>
        </Form>
        {fresh && <Alert style={{ marginTop: 12 }} type="success" title={<>{t('tokenOnce')} <Typography.Text code copyable>{fresh}</Typography.Text></>} />}
        <List style={{ marginTop: 12 }} dataSource={tokens} renderItem={(k) => (
          <List.Item actions={[<Popconfirm key="r" title={t('revoke')} onConfirm={async () => { await api.del(`/api/tokens/${k.id}`); load(); }}><Button danger size="small">{t('revoke')}</Button></Popconfirm>]}>
            <List.Item.Meta title={`${k.name}（${k.prefix}…）`} description={`${k.createdAt.slice(0, 16).replace('T', ' ')}${k.lastUsedAt ? ` · ${k.lastUsedAt.slice(0, 16).replace('T', ' ')}` : ''}`} />
          </List.Item>
        )} />
      </Card>
    </Space>
  );
}
