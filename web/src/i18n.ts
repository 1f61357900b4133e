import { createContext, useContext } from 'react';
import type { Label } from './api.ts';

export type Locale = 'zh' | 'en';

const DICT = {
  appTitle: ['东西部协作管理系统', 'East–West Cooperation'],
  signIn: ['登录', 'Sign in'],
  signOut: ['退出登录', 'Sign out'],
  username: ['用户名', 'Username'],
  password: ['密码', 'Password'],
  dashboard: ['工作概览', 'Dashboard'],
  ledgers: ['台账管理', 'Ledgers'],
  workflow: ['填报审核', 'Fill-in & approval'],
  indicators: ['指标与目标', 'Indicators & targets'],
  report: ['自评报告', 'Self-assessment report'],
  audit: ['操作日志', 'Audit log'],
  account: ['账号与令牌', 'Account & tokens'],
  county: ['县区', 'County'],
  year: ['年度', 'Year'],
  search: ['查询', 'Search'],
  reset: ['重置', 'Reset'],
  add: ['新增', 'Add'],
  edit: ['编辑', 'Edit'],
  delete: ['删除', 'Delete'],
  save: ['保存', 'Save'],
  cancel: ['取消', 'Cancel'],
  confirmDelete: ['确定删除这条记录吗？删除后可在操作日志中查到原内容。', 'Delete this record? Its content stays in the audit log.'],
  actions: ['操作', 'Actions'],
  evidence: ['佐证材料', 'Evidence'],
  upload: ['上传文件', 'Upload file'],
  download: ['下载', 'Download'],
  total: ['共 {n} 条', '{n} in all'],
  saved: ['已保存', 'Saved'],
  deleted: ['已删除', 'Deleted'],
  staleTitle: ['记录已被他人修改', 'Changed by someone else'],
  reload: ['刷新', 'Reload'],
  locked: ['该台账已锁定（{s}），不能修改；如需修改请由审核员退回或重新开启。', 'This ledger is locked ({s}); a reviewer must return or reopen it before changes.'],
  status: ['状态', 'Status'],
  comment: ['意见', 'Comment'],
  updatedBy: ['操作人', 'By'],
  updatedAt: ['时间', 'When'],
  submit: ['提交审核', 'Submit'],
  approve: ['审核通过', 'Approve'],
  return: ['退回', 'Return'],
  reopen: ['重新开启', 'Reopen'],
  returnComment: ['退回意见（必填）', 'Reason for return (required)'],
  history: ['流转记录', 'History'],
  indicator: ['指标', 'Indicator'],
  value: ['数值', 'Value'],
  target: ['目标', 'Target'],
  source: ['来源', 'Source'],
  fromRecords: ['台账计算', 'From records'],
  fromReported: ['上报值', 'Reported'],
  met: ['达标', 'Met'],
  missed: ['未达标', 'Missed'],
  noTarget: ['无目标', 'No target'],
  noData: ['无数据', 'No data'],
  editTarget: ['设定目标', 'Set target'],
  targetOrg: ['目标所属单位代码', 'Target set for unit'],
  operator: ['比较', 'Operator'],
  upperBound: ['上限', 'Upper bound'],
  note: ['备注', 'Note'],
  rules: ['校验规则', 'Validation rules'],
  pass: ['通过', 'Pass'],
  fail: ['不通过', 'Fail'],
  skip: ['无数据', 'No data'],
  downloadWord: ['下载 Word', 'Download Word'],
  downloadMd: ['下载 Markdown', 'Download Markdown'],
  preview: ['报告预览', 'Preview'],
  actor: ['操作人', 'Actor'],
  action: ['动作', 'Action'],
  entity: ['对象', 'Entity'],
  before: ['修改前', 'Before'],
  after: ['修改后', 'After'],
  fundsByCategory: ['协作资金安排（按用途）与拨付', 'Funds allocated by category and disbursed'],
  allocated: ['安排', 'Allocated'],
  disbursed: ['拨付', 'Disbursed'],
  projectsByStatus: ['项目进展', 'Projects by status'],
  labourByDestination: ['转移就业（按去向）', 'Labour placements by destination'],
  consumptionByChannel: ['消费帮扶（按渠道）', 'Consumption assistance by channel'],
  pairingsByType: ['结对帮扶（按类型）', 'Pairings by type'],
  talentVsPlan: ['干部人才交流与计划', 'Talent exchange vs plan'],
  indicatorTable: ['指标完成情况', 'Indicators against targets'],
  ranking: ['所辖县区排名', 'Counties ranked'],
  rank: ['排名', 'Rank'],
  metCount: ['达标指标', 'Targets met'],
  missedCount: ['未达标指标', 'Targets missed'],
  disbursementRate: ['资金拨付率', 'Disbursement rate'],
  wan: ['万元', '10k yuan'],
  yes: ['是', 'Yes'],
  no: ['否', 'No'],
  qualifier: ['精度', 'Precision'],
  q_exact: ['精确', 'exact'],
  q_about: ['约', 'about'],
  q_over: ['余/以上', 'more than'],
  q_range: ['区间', 'range'],
  noCounty: ['当前账号没有可查看的县区数据', 'No county data visible to this account'],
  tokens: ['API 令牌', 'API tokens'],
  tokenName: ['令牌用途', 'Token purpose'],
  createToken: ['创建令牌', 'Create token'],
  tokenOnce: ['请立即复制，令牌只显示这一次：', 'Copy it now; it is shown only once:'],
  revoke: ['撤销', 'Revoke'],
  role: ['角色', 'Role'],
  units: ['所属单位', 'Units'],
  filterPlaceholder: ['按{f}筛选', 'Filter by {f}'],
  recordsOf: ['{l}台账', '{l}'],
  submitAll: ['全部提交', 'Submit all'],
  approveAll: ['全部通过', 'Approve all'],
  flags: ['提示', 'Flags'],
  refused: ['无权访问', 'Access refused'],
  workflowLocked: ['已锁定', 'Locked'],
  users: ['账号管理', 'Accounts'],
  readOnly: ['只读', 'Read-only'],
  displayName: ['姓名/单位', 'Display name'],
} as const;

export type Key = keyof typeof DICT;

export interface I18n {
  locale: Locale;
  t: (k: Key, vars?: Record<string, string | number>) => string;
  L: (l: Label | undefined | null) => string;
}

export function makeI18n(locale: Locale): I18n {
  return {
    locale,
    t: (k, vars) => {
      let s: string = DICT[k][locale === 'zh' ? 0 : 1];
      for (const [n, v] of Object.entries(vars ?? {})) s = s.replace(`{${n}}`, String(v));
      return s;
    },
    L: (l) => (l ? l[locale] : ''),
  };
}

export const I18nContext = createContext<I18n>(makeI18n('zh'));
export const useI18n = () => useContext(I18nContext);
