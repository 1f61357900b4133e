import { type Locale, wordsOf } from '../../i18n.ts';

/** The configuration page's and the year action's words ([zh, en]). */
const WORDS = {
  title: ['考核配置', 'Assessment configuration'],
  intro: [
    '分类列表、取舍规则和报告模板按考核年度和单位分层：全国默认 ← 省 ← 市州 ← 县，更具体的一层优先；某年的修改对该年及以后沿用它的年度生效，直到再次修改。',
    'Category lists, rounding and the report template follow layers per assessment year and unit: national defaults ← province ← prefecture ← county, the more specific winning; a change applies to that year and the later years that inherit it, until changed again.',
  ],
  unit: ['单位', 'Unit'],
  unitHelp: ['2位省、4位市州或6位县级区划代码；national 为全国默认', '2-digit province, 4-digit prefecture or 6-digit county code; national for the defaults'],
  year: ['考核年度', 'Assessment year'],
  lists: ['分类列表', 'Category lists'],
  rounding: ['取舍规则', 'Rounding'],
  list: ['列表', 'List'],
  shipped: ['系统内置', 'Shipped default'],
  storedBy: ['{unit}于{year}年设定（第{version}版，{by}）', 'set for {unit} in {year} (version {version}, by {by})'],
  national: ['全国', 'national'],
  value: ['值（代码）', 'Value (code)'],
  zh: ['中文名称', 'Chinese label'],
  en: ['英文名称', 'English label'],
  retired: ['停用', 'Retired'],
  addValue: ['新增值', 'Add a value'],
  remove: ['删除', 'Remove'],
  saveList: ['保存列表', 'Save list'],
  savedList: ['已保存：{list}（{unit}，{year}年起）', 'Saved: {list} ({unit}, from {year})'],
  mode: ['比率取舍方式', 'Rates'],
  halfUp: ['四舍五入', 'Round half up'],
  truncate: ['截尾', 'Truncate'],
  whole: ['取整百分比', 'Whole percent'],
  decimals: ['小数位数', 'Decimals'],
  exceptions: ['指标例外', 'Indicator exceptions'],
  indicator: ['指标编号', 'Indicator id'],
  addException: ['新增例外', 'Add an exception'],
  saveRounding: ['保存取舍规则', 'Save rounding'],
  inherit: ['沿用上级', 'Inherit from above'],
  savedRounding: ['已保存取舍规则（{unit}，{year}年起）', 'Rounding saved ({unit}, from {year})'],
  effective: ['当前生效：{rule}', 'In force: {rule}'],
  readOnly: ['只有本省的省级用户和系统管理员可以修改配置', 'Only users of this province and administrators can change the configuration'],
  openYear: ['开启新年度', 'Open a new year'],
  openYearTitle: ['为{county}开启新的考核年度', 'Open a new assessment year for {county}'],
  openYearHelp: [
    '从最近的上一年度结转：结对帮扶、示范村、未完工项目、累计数据和报告信息（结对方），均为可修改的草稿。',
    'Carried over from the latest earlier year: pairings, demonstration villages, unfinished projects, cumulative figures and report details (partner), all as editable drafts.',
  ],
  opened: ['已开启{year}年度：结转结对{pairings}项、示范村{villages}个、未完工项目{projects}个、累计数据{cumulative}项', 'Opened {year}: carried {pairings} pairings, {villages} demonstration villages, {projects} unfinished projects, {cumulative} cumulative figures'],
  openedEmpty: ['已开启{year}年度（没有可结转的上一年度）', 'Opened {year} (no earlier year to carry over from)'],
  noConfig: ['该年度没有考核配置', 'No configuration for this year'],
  inheritedList: ['{list}恢复沿用上级（{unit}，{year}年起）', '{list} follows the unit above again ({unit}, from {year})'],
  template: ['报告模板', 'Report template'],
  elements: ['自定义上报项', 'Own elements'],
  elementsHelp: [
    '报告中有、系统目录中没有的数字（如本省自设的指标），可在这里新增为上报项：填写名称、计量单位和它在报告中所属的部分。之后即可在“上报数据”页和 Excel 导入中填报，报告在该部分写出“名称+数字”。已有上报数据的项只能停用，不能删除。',
    'Figures a report states that the catalogue has no element for (a province\'s own indicators, say) can be added here: give the name, the unit and the part of the report it belongs to. It can then be entered on the reported-values page and in Excel imports, and the report prints "name + figure" in that part. An element that holds values can be retired, not deleted.',
  ],
  inheritedElements: ['上级单位定义、在此沿用的上报项：', 'Defined above and in force here:'],
  unitOf: ['计量单位', 'Unit'],
  ownWord: ['自定…', 'Own word…'],
  section: ['报告部分', 'Report section'],
  addElement: ['新增上报项', 'Add an element'],
  saveElements: ['保存上报项', 'Save elements'],
  savedElements: ['已保存自定义上报项（{unit}，{year}年起）', 'Own elements saved ({unit}, from {year})'],
  templateHelp: [
    '自评报告的文字按模板生成：每句话写明所需的数字（如 {funds.allocated}），数据缺少时整句不出现；方括号内的部分缺数时省略。保存时系统会核对每个指标、台账和字段是否存在。',
    'The self-assessment report is written from this template: each sentence names the figures it needs (e.g. {funds.allocated}) and is left out when one is missing; a part in brackets is left out on its own. Saving checks that every indicator, ledger and field named exists.',
  ],
  shippedFor: ['系统内置（{unit}专用）', 'Shipped for {unit}'],
  saveTemplate: ['保存报告模板', 'Save template'],
  discard: ['放弃修改', 'Discard changes'],
  templateSaved: ['已保存报告模板（{unit}，{year}年起）', 'Report template saved ({unit}, from {year})'],
  templateInherited: ['报告模板恢复沿用上级（{unit}，{year}年起）', 'The report template follows the unit above again ({unit}, from {year})'],
} as const;

/** What each category list holds, for the list picker ([zh, en]). */
const LISTS: Record<string, readonly [string, string]> = {
  meeting_type: ['会议类型', 'Meeting types'],
  visit_direction: ['互访方向', 'Visit directions'],
  pairing_type: ['结对类型', 'Pairing types'],
  fund_category: ['资金用途分类', 'Fund categories'],
  earmark_purpose: ['专项资金用途', 'Earmarked purposes'],
  project_status: ['项目状态', 'Project statuses'],
  job_fair_mode: ['招聘活动方式', 'Job fair modes'],
  labour_destination: ['转移就业去向', 'Labour destinations'],
  consumption_channel: ['消费帮扶渠道', 'Consumption channels'],
  deal_kind: ['签约类型', 'Agreement kinds'],
  exchange_direction: ['人才交流方向', 'Exchange directions'],
  exchange_kind: ['人才交流类别', 'Exchange kinds'],
  exchange_field: ['人才交流领域', 'Exchange fields'],
  donor_kind: ['捐赠方类型', 'Donor kinds'],
  donation_form: ['捐赠形式', 'Donation forms'],
  output_owner: ['产出所属台账', 'Output owners'],
  pair_side: ['结对双方', 'Pair sides'],
};

/** A category list's name for people, with its code; the code alone for a list the page does not know. */
export function listLabel(locale: Locale, name: string): string {
  const l = LISTS[name];
  return l ? `${l[locale === 'zh' ? 0 : 1]}（${name}）` : name;
}

export type Word = keyof typeof WORDS;

export const words = wordsOf(WORDS);
