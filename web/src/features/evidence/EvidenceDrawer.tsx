import { DeleteOutlined, DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { App, Button, Drawer, List, Popconfirm, Typography, Upload } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, type Evidence, qs } from '../../api.ts';
import { showError } from '../../errors.tsx';
import { useI18n } from '../../i18n.ts';

const EXTENSIONS = ['.pdf', '.png', '.jpg', '.jpeg', '.docx', '.xlsx', '.pptx', '.doc', '.xls', '.ppt'];
const MIME = [
  'application/pdf', 'image/png', 'image/jpeg',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation', 'application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint',
];
/** The file picker offers only what the server accepts; a file forced past it is stopped here before sending. */
const ACCEPT = [...EXTENSIONS, ...MIME].join(',');
const MAX_BYTES = 20 * 1024 * 1024;
const accepted = (name: string) => EXTENSIONS.some((x) => name.toLowerCase().endsWith(x));

/** 佐证材料 of one record or indicator: list, upload (type and size checked by the server), download. */
export function EvidenceDrawer({ county, year, target, title, onClose }: {
  county: string; year: number; title: string; onClose: () => void;
  target: { ledger: string; recordId: number } | { indicator: string };
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const { message } = App.useApp();
  const [items, setItems] = useState<Evidence[]>([]);
  const load = useCallback(() => {
    api.get<Evidence[]>(`/api/evidence/${county}/${year}${qs(target as Record<string, string | number>)}`).then(setItems, (e) => showError(e, i18n));
  }, [county, year, JSON.stringify(target)]);
  useEffect(load, [load]);

  return (
    <Drawer open title={`${t('evidence')} · ${title}`} size="large" onClose={onClose}>
      <Upload accept={ACCEPT} showUploadList={false} data-testid="evidence-input"
        beforeUpload={(file) => {
          if (!accepted(file.name)) { void message.error(t('evidenceWrongType', { f: file.name })); return Upload.LIST_IGNORE; }
          if (file.size > MAX_BYTES) { void message.error(t('evidenceTooLarge', { f: file.name })); return Upload.LIST_IGNORE; }
          return true;
        }}
        customRequest={async ({ file, onSuccess, onError }) => {
        const form = new FormData();
        for (const [k, v] of Object.entries(target)) form.append(k, String(v));
        form.append('file', file as Blob);
        try {
          await api.upload(`/api/evidence/${county}/${year}`, form);
          void message.success(t('saved'));
          onSuccess?.({});
          load();
        } catch (e) {
          showError(e, i18n);
          onError?.(e as Error);
        }
      }}>
        <Button icon={<UploadOutlined />} data-testid="evidence-upload">{t('upload')}</Button>
      </Upload>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>PDF / PNG / JPEG / Word / Excel / PowerPoint, ≤ 20 MB</Typography.Paragraph>
      <List dataSource={items} data-testid="evidence-list" renderItem={(e) => (
        <List.Item actions={[
          <a key="d" href={`/api/evidence-files/${e.id}`}><DownloadOutlined /> {t('download')}</a>,
          <Popconfirm key="x" title={t('confirmDelete')} onConfirm={async () => {
            try { await api.del(`/api/evidence-files/${e.id}`); load(); } catch (err) { showError(err, i18n); }
          }}><Button type="link" danger size="small" icon={<DeleteOutlined />} /></Popconfirm>,
        ]}>
          <List.Item.Meta title={e.filename} description={`${(e.size / 1024).toFixed(1)} KB · ${e.uploadedBy} · ${e.uploadedAt.slice(0, 16).replace('T', ' ')}`} />
        </List.Item>
      )} />
    </Drawer>
  );
}
