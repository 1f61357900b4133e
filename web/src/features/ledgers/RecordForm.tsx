import { Col, DatePicker, Form, type FormInstance, Input, InputNumber, Row, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import type { Categories, FieldDecl, LedgerDecl, LedgerRecord } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import { fenToWanPlain, wanToFen } from '../../money.ts';

type FormValues = Record<string, unknown>;

/** Form values for editing a record: money as 万元 text, dates as dayjs. */
export function toFormValues(decl: LedgerDecl, r: LedgerRecord | null): FormValues {
  const out: FormValues = {};
  if (!r) {
    for (const f of decl.fields) if (f.qualified) out[`${f.name}_qual`] = 'exact';
    return out;
  }
  for (const f of decl.fields) {
    if (f.pii) continue;
    const v = r[f.name];
    out[f.name] = v === null || v === undefined ? undefined
      : f.type === 'money' ? fenToWanPlain(Number(v)) : f.type === 'date' ? dayjs(String(v)) : v;
    if (f.qualified) {
      out[`${f.name}_qual`] = r[`${f.name}_qual`] ?? 'exact';
      const max = r[`${f.name}_max`];
      out[`${f.name}_max`] = max === null || max === undefined ? undefined : f.type === 'money' ? fenToWanPlain(Number(max)) : max;
    }
  }
  out.note = r.note ?? undefined;
  return out;
}

/** API input from form values: only declared fields, money in 分, dates as YYYY-MM-DD, blanks as null. */
export function fromFormValues(decl: LedgerDecl, v: FormValues, editing: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const conv = (f: FieldDecl, x: unknown) => {
    if (x === undefined || x === null || x === '') return null;
    if (f.type === 'money') return wanToFen(String(x));
    if (f.type === 'date') return (x as Dayjs).format('YYYY-MM-DD');
    if (f.type === 'text' || f.type === 'code') return String(x).trim() || null;
    return x;
  };
  for (const f of decl.fields) {
    const x = conv(f, v[f.name]);
    if (f.pii && editing && x === null) continue;
    if (x !== null || !f.required) out[f.name] = x;
    if (f.qualified && x !== null) {
      out[`${f.name}_qual`] = v[`${f.name}_qual`] ?? 'exact';
      out[`${f.name}_max`] = v[`${f.name}_qual`] === 'range' ? conv(f, v[`${f.name}_max`]) : null;
    }
  }
  out.note = (typeof v.note === 'string' && v.note.trim()) || null;
  return out;
}

export function RecordForm({ decl, categories, form, editing }: { decl: LedgerDecl; categories: Categories; form: FormInstance; editing: boolean }) {
  const i18n = useI18n();
  const { t, L } = i18n;
  const moneyRule = { validator: async (_: unknown, x: unknown) => {
    if (x === undefined || x === null || x === '' || wanToFen(String(x)) !== null) return;
    const s = String(x).trim().replace(/,/g, '');
    if (/^-\d+(\.\d*)?$/.test(s)) throw new Error(t('moneyNegative'));
    if (/^\d+\.\d{7,}$/.test(s)) throw new Error(t('moneyDecimals'));
    throw new Error(t('moneyInvalid'));
  } };
  const input = (f: FieldDecl, name: string) => {
    switch (f.type) {
      case 'money': return <Input suffix={t('wan')} inputMode="decimal" data-testid={`field-${name}`} />;
      case 'int': return <InputNumber style={{ width: '100%' }} precision={0} min={f.min ?? 0} max={f.max} data-testid={`field-${name}`} />;
      case 'date': return <DatePicker style={{ width: '100%' }} data-testid={`field-${name}`} />;
      case 'enum': return <Select allowClear={!f.required} data-testid={`field-${name}`}
        options={(categories[f.categories ?? ''] ?? []).filter((c) => !c.retired).map((c) => ({ value: c.value, label: c[i18n.locale] }))} />;
      case 'bool': return <Select allowClear={!f.required} data-testid={`field-${name}`} options={[{ value: true, label: t('yes') }, { value: false, label: t('no') }]} />;
      case 'text':
      case 'code': return (f.maxLength ?? 0) > 300 ? <Input.TextArea rows={2} maxLength={f.maxLength} data-testid={`field-${name}`} />
        : <Input maxLength={f.maxLength} data-testid={`field-${name}`} placeholder={f.pii && editing ? (i18n.locale === 'zh' ? '不修改请留空' : 'leave blank to keep') : undefined} />;
    }
  };
  return (
    <Form form={form} layout="vertical" data-testid="record-form">
      <Row gutter={12}>
        {decl.fields.map((f) => (
          <Col key={f.name} span={f.qualified ? 24 : 12}>
            <Row gutter={8}>
              <Col span={f.qualified ? 10 : 24}>
                <Form.Item name={f.name} label={L(f.label) + (f.type === 'money' ? `（${t('wan')}）` : '')} tooltip={f.help ? L(f.help) : undefined}
                  rules={[...(f.required && !(f.pii && editing) ? [{ required: true, message: i18n.locale === 'zh' ? `请填写${f.label.zh}` : `${f.label.en} is required` }] : []), ...(f.type === 'money' ? [moneyRule] : [])]}>
                  {input(f, f.name)}
                </Form.Item>
              </Col>
              {f.qualified && (
                <>
                  <Col span={6}>
                    <Form.Item name={`${f.name}_qual`} label={t('qualifier')}>
                      <Select options={(['exact', 'about', 'over', 'range'] as const).map((q) => ({ value: q, label: t(`q_${q}`) }))} />
                    </Form.Item>
                  </Col>
                  <Form.Item noStyle shouldUpdate={(a, b) => a[`${f.name}_qual`] !== b[`${f.name}_qual`]}>
                    {() => form.getFieldValue(`${f.name}_qual`) === 'range' && (
                      <Col span={8}>
                        <Form.Item name={`${f.name}_max`} label={t('upperBound')} rules={f.type === 'money' ? [moneyRule] : []}>{input(f, `${f.name}_max`)}</Form.Item>
                      </Col>
                    )}
                  </Form.Item>
                </>
              )}
            </Row>
          </Col>
        ))}
        <Col span={24}>
          <Form.Item name="note" label={t('note')}><Input.TextArea rows={2} maxLength={2000} /></Form.Item>
        </Col>
      </Row>
    </Form>
  );
}
