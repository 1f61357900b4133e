import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { api, ApiError, type SessionView } from '../../api.ts';
import { useI18n } from '../../i18n.ts';

export function LoginPage({ onSignedIn, switcher }: { onSignedIn: (s: SessionView) => void; switcher: React.ReactNode }) {
  const { t, L } = useI18n();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await api.post<SessionView>('/api/session', v));
    } catch (e) {
      setError(e instanceof ApiError ? L(e.msg) : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: 'linear-gradient(160deg,#1f5fa8,#6ea8dc)' }}>
      <Card style={{ width: 380 }} extra={switcher} title={<Typography.Text strong>{t('appTitle')}</Typography.Text>}>
        <Form layout="vertical" onFinish={submit} data-testid="login-form">
          <Form.Item name="username" label={t('username')} rules={[{ required: true }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" data-testid="login-username" />
          </Form.Item>
          <Form.Item name="password" label={t('password')} rules={[{ required: true }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" />
          </Form.Item>
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">{t('signIn')}</Button>
        </Form>
      </Card>
    </div>
  );
}
