import {
  AlertOutlined, AuditOutlined, BarChartOutlined, CloudUploadOutlined, ControlOutlined, DashboardOutlined, EditOutlined, FileSearchOutlined, FileTextOutlined, FormOutlined, KeyOutlined, LogoutOutlined, MenuOutlined, NumberOutlined, TableOutlined, TeamOutlined, UserOutlined,
} from '@ant-design/icons';
import { Alert, App as AntApp, Button, ConfigProvider, Drawer, Dropdown, Layout, Menu, Result, Segmented, Select, Spin, Tag, Typography } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError, type Categories, type County, type Meta, type SessionView, setCsrf } from './api.ts';
import { AppContext, type AppState } from './context.ts';
import { AccountPage } from './features/account/AccountPage.tsx';
import { UsersPage } from './features/account/UsersPage.tsx';
import { AuditPage } from './features/audit/AuditPage.tsx';
import { ConfigPage } from './features/config/ConfigPage.tsx';
import { OpenYear } from './features/config/OpenYear.tsx';
import { words as configWords } from './features/config/strings.ts';
import { DashboardPage } from './features/dashboard/DashboardPage.tsx';
import { FigureCheckPage } from './features/figure-check/FigureCheckPage.tsx';
import { words as figureWords } from './features/figure-check/strings.ts';
import { ImportPage } from './features/imports/ImportPage.tsx';
import { words as importWords } from './features/imports/strings.ts';
import { IndicatorsPage } from './features/indicators/IndicatorsPage.tsx';
import { LedgerPage } from './features/ledgers/LedgerPage.tsx';
import { LoginPage } from './features/login/LoginPage.tsx';
import { NarrativePage } from './features/narrative/NarrativePage.tsx';
import { ReportedPage } from './features/reported/ReportedPage.tsx';
import { ReportPage } from './features/reports/ReportPage.tsx';
import { WarningsMenuLabel } from './features/warnings/WarningsBadge.tsx';
import { WarningsPage } from './features/warnings/WarningsPage.tsx';
import { words as warningWords } from './features/warnings/strings.ts';
import { WorkflowPage } from './features/workflow/WorkflowPage.tsx';
import { I18nContext, type Locale, makeI18n, useI18n } from './i18n.ts';
import { useNarrow } from './responsive.ts';
import { navigate, usePath } from './router.ts';

const GROUP_ORDER = ['organisation', 'funds', 'projects', 'labour', 'consumption', 'industry', 'talent', 'social', 'villages'];

export function App() {
  const [locale, setLocale] = useState<Locale>(() => (localStorage.getItem('xz.locale') === 'en' ? 'en' : 'zh'));
  const i18n = useMemo(() => makeI18n(locale), [locale]);
  const [session, setSession] = useState<SessionView | null | undefined>(undefined);

  useEffect(() => {
    localStorage.setItem('xz.locale', locale);
    dayjs.locale(locale === 'zh' ? 'zh-cn' : 'en');
    document.documentElement.lang = locale === 'zh' ? 'zh-CN' : 'en';
    document.title = i18n.t('appTitle');
  }, [locale, i18n]);

  useEffect(() => {
    api.get<SessionView>('/api/session').then((s) => { setCsrf(s.csrf); setSession(s); }, () => setSession(null));
  }, []);

  const switcher = (
    <Segmented size="small" value={locale} onChange={(v) => setLocale(v as Locale)} data-testid="locale-switch"
      options={[{ label: '中文', value: 'zh' }, { label: 'EN', value: 'en' }]} />
  );

  return (
    <ConfigProvider locale={locale === 'zh' ? zhCN : enUS} theme={{ token: { colorPrimary: '#1f5fa8', borderRadius: 4 } }}>
      <AntApp>
        <I18nContext.Provider value={i18n}>
          {session === undefined ? <Spin style={{ marginTop: 200, width: '100%' }} />
            : session === null ? <LoginPage switcher={switcher} onSignedIn={(s) => { setCsrf(s.csrf); setSession(s); }} />
              : <SignedIn session={session} switcher={switcher} onSignOut={() => { setCsrf(null); setSession(null); navigate('/'); }} />}
        </I18nContext.Provider>
      </AntApp>
    </ConfigProvider>
  );
}

function SignedIn({ session, switcher, onSignOut }: { session: SessionView; switcher: React.ReactNode; onSignOut: () => void }) {
  const i18n = useI18n();
  const { t, L } = i18n;
  const path = usePath();
  const [meta, setMeta] = useState<Meta>();
  const [counties, setCounties] = useState<County[]>();
  const [categories, setCategories] = useState<Categories>();
  const [county, setCounty] = useState<string>(() => localStorage.getItem('xz.county') ?? '');
  const [year, setYear] = useState<number>(() => Number(localStorage.getItem('xz.year')) || 0);
  const [version, setVersion] = useState(0);
  const [failure, setFailure] = useState<string>();
  const [configNotice, setConfigNotice] = useState<ApiError>();
  const bump = useCallback(() => setVersion((v) => v + 1), []);
  const narrow = useNarrow();
  const [drawer, setDrawer] = useState(false);

  useEffect(() => {
    Promise.all([api.get<Meta>('/api/meta'), api.get<County[]>('/api/counties')]).then(([m, c]) => {
      setMeta(m);
      setCounties(c);
      const chosen = c.find((x) => x.code === county) ?? c[0];
      if (chosen) {
        setCounty(chosen.code);
        if (!chosen.years.includes(year)) setYear(chosen.years[0]!);
      }
    }, (e: unknown) => setFailure(e instanceof ApiError ? e.msg.zh : String(e)));
  }, []);

  useEffect(() => {
    if (!year) return;
    localStorage.setItem('xz.year', String(year));
    // The lists of the county's province, prefecture and county; a year without configuration says so.
    api.get<Categories>(`/api/categories/${year}${county ? `?county=${county}` : ''}`).then((c) => { setConfigNotice(undefined); setCategories(c); },
      (e: unknown) => { setConfigNotice(e instanceof ApiError ? e : undefined); setCategories({}); });
  }, [year, county, version]);
  useEffect(() => { if (county) localStorage.setItem('xz.county', county); }, [county]);

  if (failure) return <Result status="error" title={failure} />;
  if (!meta || !counties || (counties.length && !categories)) return <Spin style={{ marginTop: 200, width: '100%' }} />;

  const pickCounty = (v: string) => { setCounty(v); const c = counties.find((x) => x.code === v); if (c && !c.years.includes(year)) setYear(c.years[0]!); };
  const state: AppState = { session, meta, categories: categories ?? {}, counties, county, year, version, bump, pickCounty };
  const groups = [...new Set(meta.ledgers.map((l) => l.group))].sort((a, b) => GROUP_ORDER.indexOf(a) - GROUP_ORDER.indexOf(b));
  const menu = [
    { key: '/', icon: <DashboardOutlined />, label: t('dashboard') },
    {
      key: 'ledgers', icon: <TableOutlined />, label: t('ledgers'),
      children: groups.flatMap((g) => meta.ledgers.filter((l) => l.group === g).map((l) => ({ key: `/ledgers/${l.kind}`, label: L(l.label) }))),
    },
    ...(['admin', 'county_admin', 'county_clerk'].includes(session.user.role) ? [{ key: '/import', icon: <CloudUploadOutlined />, label: importWords(i18n.locale)('title') }] : []),
    { key: '/reported', icon: <NumberOutlined />, label: t('reported') },
    { key: '/workflow', icon: <FormOutlined />, label: t('workflow') },
    { key: '/indicators', icon: <BarChartOutlined />, label: t('indicators') },
    { key: '/warnings', icon: <AlertOutlined />, label: <WarningsMenuLabel label={warningWords(i18n.locale)('title')} /> },
    { key: '/narrative', icon: <EditOutlined />, label: t('narrative') },
    { key: '/report', icon: <FileTextOutlined />, label: t('report') },
    { key: '/figure-check', icon: <FileSearchOutlined />, label: figureWords(i18n.locale)('title') },
    { key: '/audit', icon: <AuditOutlined />, label: t('audit') },
    { key: '/account', icon: <KeyOutlined />, label: t('account') },
    ...(['admin', 'province_user'].includes(session.user.role) ? [{ key: '/config', icon: <ControlOutlined />, label: configWords(i18n.locale)('title') }] : []),
    ...(session.user.role === 'admin' ? [{ key: '/users', icon: <TeamOutlined />, label: t('users') }] : []),
  ];
  const current = counties.find((c) => c.code === county);
  const kind = path.startsWith('/ledgers/') ? path.slice('/ledgers/'.length) : null;

  let page: React.ReactNode;
  if (!current && path !== '/account' && path !== '/users' && path !== '/config') page = <Result status="info" title={t('noCounty')} />;
  else if (path === '/') page = <DashboardPage />;
  else if (kind) page = <LedgerPage key={kind} kind={kind} />;
  else if (path === '/import') page = <ImportPage />;
  else if (path === '/reported') page = <ReportedPage />;
  else if (path === '/narrative') page = <NarrativePage />;
  else if (path === '/workflow') page = <WorkflowPage />;
  else if (path === '/indicators') page = <IndicatorsPage />;
  else if (path === '/warnings') page = <WarningsPage />;
  else if (path === '/report') page = <ReportPage />;
  else if (path === '/figure-check') page = <FigureCheckPage />;
  else if (path === '/audit') page = <AuditPage />;
  else if (path === '/account') page = <AccountPage />;
  else if (path === '/users') page = <UsersPage />;
  else if (path === '/config') page = <ConfigPage />;
  else page = <Result status="404" title={t('notFoundTitle')} subTitle={t('notFoundText')} data-testid="not-found"
    extra={<Button type="primary" onClick={() => navigate('/')}>{t('backHome')}</Button>} />;

  const sideMenu = (
    <Menu mode="inline" selectedKeys={[path]} defaultOpenKeys={kind ? ['ledgers'] : []} items={menu}
      onClick={(e) => { setDrawer(false); navigate(e.key); }} style={{ height: '100%', borderInlineEnd: 0 }} data-testid="side-menu" />
  );

  // On a phone the header wraps onto a second line (county, year, language, user) and the menu
  // opens in a drawer from a button in the header's own row, so nothing covers the page.
  return (
    <AppContext.Provider value={state}>
      <Layout style={{ minHeight: '100vh' }}>
        <Layout.Header className="xz-header" data-testid="app-header">
          {narrow && <Button type="text" aria-label={t('menu')} icon={<MenuOutlined style={{ color: '#fff', fontSize: 18 }} />} onClick={() => setDrawer(true)} data-testid="menu-button" />}
          <Typography.Title level={4} className="xz-title" ellipsis>{t('appTitle')}</Typography.Title>
          {meta.synthetic && <Tag color="orange" data-testid="synthetic-tag" title={`seed ${meta.synthetic.seed}`}>{i18n.locale === 'zh' ? `合成数据（${meta.synthetic.counties}个县）` : `Synthetic data (${meta.synthetic.counties} counties)`}</Tag>}
          <div className="xz-header-tools">
            <Select data-testid="county-select" className="xz-county" popupMatchSelectWidth={false} value={county || undefined} onChange={pickCounty}
              options={counties.map((c) => ({ value: c.code, label: c.name }))} placeholder={t('county')} />
            <Select data-testid="year-select" style={{ width: 96 }} value={year || undefined} onChange={setYear}
              options={(current?.years ?? []).map((y) => ({ value: y, label: `${y}${i18n.locale === 'zh' ? '年' : ''}` }))} />
            <OpenYear onOpened={(y) => { void api.get<County[]>('/api/counties').then((c) => { setCounties(c); setYear(y); }); }} />
            {switcher}
            <Dropdown menu={{
              items: [
                ...(narrow ? [{ key: 'who', disabled: true, label: `${session.user.displayName} · ${L(session.roleLabel)}` }] : []),
                { key: 'out', icon: <LogoutOutlined />, label: t('signOut'), onClick: () => { void api.del('/api/session').finally(onSignOut); } },
              ],
            }}>
              <Button data-testid="user-menu" icon={narrow ? <UserOutlined /> : undefined} aria-label={session.user.displayName}>
                {narrow ? null : `${session.user.displayName} · ${L(session.roleLabel)}`}
              </Button>
            </Dropdown>
          </div>
        </Layout.Header>
        <Layout>
          {!narrow && <Layout.Sider width={220} theme="light">{sideMenu}</Layout.Sider>}
          {narrow && (
            <Drawer open={drawer} placement="left" size={280} onClose={() => setDrawer(false)} title={t('appTitle')} styles={{ body: { padding: 0 } }} data-testid="menu-drawer">
              {sideMenu}
            </Drawer>
          )}
          <Layout.Content className="xz-content">
            {configNotice && <Alert type="warning" showIcon data-testid="config-notice" style={{ marginBottom: 16 }}
              message={configWords(i18n.locale)('noConfig')} description={L(configNotice.msg)} />}
            {page}
          </Layout.Content>
        </Layout>
      </Layout>
    </AppContext.Provider>
  );
}
