import { z } from 'zod';

/**
 * Default validation messages in both languages, as "中文 / English": the convention the input
 * parsers split on (`invalidInput`, ledger record problems), so that a schema without its own message
 * still answers each language in that language. Messages written in a schema take precedence.
 */
const en = z.locales.en().localeError;
const zhFallback = z.locales.zhCN().localeError;

const TYPE_ZH: Record<string, string> = {
  string: '文本', number: '数字', int: '整数', bigint: '整数', boolean: '是/否', date: '日期', array: '列表', object: '对象',
  null: '空值', undefined: '空', nan: '非数字', symbol: '符号', function: '函数', file: '文件',
};
const typeZh = (t: unknown) => TYPE_ZH[String(t)] ?? String(t);
function actualZh(input: unknown): string {
  if (input === undefined) return '未填写';
  if (input === null) return '空值';
  if (Array.isArray(input)) return '列表';
  return typeZh(typeof input === 'number' && Number.isNaN(input) ? 'nan' : typeof input);
}
const text = (m: ReturnType<typeof en>): string => (typeof m === 'string' ? m : m?.message ?? '');

type Issue = Parameters<typeof en>[0];

function zh(iss: Issue): string {
  switch (iss.code) {
    case 'invalid_type':
      return iss.input === undefined ? '必填' : `应为${typeZh(iss.expected)}，实际为${actualZh(iss.input)}`;
    case 'too_big': {
      const n = String(iss.maximum);
      if (iss.origin === 'string') return `最多 ${n} 个字`;
      if (iss.origin === 'array' || iss.origin === 'set') return `最多 ${n} 项`;
      return iss.inclusive ? `不能大于 ${n}` : `应小于 ${n}`;
    }
    case 'too_small': {
      const n = String(iss.minimum);
      if (iss.origin === 'string') return Number(iss.minimum) <= 1 ? '不能为空' : `至少 ${n} 个字`;
      if (iss.origin === 'array' || iss.origin === 'set') return `至少 ${n} 项`;
      return iss.inclusive ? `不能小于 ${n}` : `应大于 ${n}`;
    }
    case 'invalid_value':
      return `应为以下之一：${iss.values.map((v) => String(v)).join('、')}`;
    case 'invalid_format':
      return iss.format === 'regex' ? '格式不正确' : `格式不正确（应为 ${iss.format}）`;
    case 'not_multiple_of':
      return `应为 ${String(iss.divisor)} 的倍数`;
    case 'unrecognized_keys':
      return `不认识的字段：${iss.keys.join('、')}`;
    case 'custom':
    case 'invalid_element':
    case 'invalid_key':
    case 'invalid_union':
      return text(zhFallback(iss)).replaceAll(' / ', '／');
  }
}

let installed = false;
/** Installs the bilingual default messages once per process. */
export function installBilingualMessages(): void {
  if (installed) return;
  installed = true;
  z.config({ localeError: (iss) => `${zh(iss)} / ${text(en(iss))}` });
}
