import { DownloadOutlined } from '@ant-design/icons';
import { Button, Card, Space, Spin } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../../api.ts';
import { useApp } from '../../context.ts';
import { showError } from '../../errors.tsx';
import { useI18n } from '../../i18n.ts';
import { ZipAllReports } from './ZipAllReports.tsx';

export function ReportPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const { county, year, version } = useApp();
  const [html, setHtml] = useState<string>();
  useEffect(() => {
    setHtml(undefined);
    api.get<string>(`/api/reports/${county}/${year}?format=html`).then(setHtml, (e) => { showError(e, i18n); setHtml(''); });
  }, [county, year, version]);
  const base = `/api/reports/${county}/${year}`;
  return (
    <>
      <ZipAllReports />
      <Card title={t('preview')} data-testid="report"
        extra={<Space wrap>
          <Button type="primary" icon={<DownloadOutlined />} href={`${base}?format=docx`} data-testid="download-docx">{t('downloadWord')}</Button>
          <Button icon={<DownloadOutlined />} href={`${base}?format=annex`} data-testid="download-annex">{t('downloadAnnex')}</Button>
          <Button icon={<DownloadOutlined />} href={`${base}?format=md`} data-testid="download-md">{t('downloadMd')}</Button>
          <Button icon={<DownloadOutlined />} href={`/api/exports/${county}/${year}`} data-testid="download-xlsx">{t('downloadXlsx')}</Button>
        </Space>}>
        {html === undefined ? <Spin /> : (
          // The fragment is rendered on the server from stored data by the report renderer, which escapes text.
          <div className="report-preview" data-testid="report-preview" style={{ maxWidth: 900, margin: '0 auto', lineHeight: 1.9, fontSize: 15 }}
            dangerouslySetInnerHTML={{ __html: html }} />
        )}
      </Card>
    </>
  );
}
