import { wordsOf } from '../../i18n.ts';

/** The figure check page's words ([zh, en]). */
const WORDS = {
  title: ['数字核查', 'Figure check'],
  intro: [
    '上传报告（.txt、.md 或 .docx）或粘贴文本，逐一核对文中数字之间的关系：合计与分项、“其中”、比率、百分点变化、增长率、人均与合计、表格合计。可同时与本县本年度的系统数据对照。',
    'Upload a report (.txt, .md or .docx) or paste its text to check how its figures relate: totals and parts, subsets, rates, percentage-point changes, growth, per-head amounts and table totals. Optionally hold them against this county-year\'s data.',
  ],
  upload: ['选择文件', 'Choose a file'],
  paste: ['或在此粘贴报告文本', 'or paste the report text here'],
  against: ['同时与系统数据对照（{county} {year}年）', 'Also hold against the data ({county}, {year})'],
  run: ['核查', 'Check'],
  clear: ['清空', 'Clear'],
  summary: ['共识别数字 {figures} 个、关系 {relations} 条，其中不成立 {failures} 条。', '{figures} figures and {relations} relations found; {failures} fail.'],
  none: ['文中没有可核对的数字关系。', 'The text states no relation between its figures that could be checked.'],
  allHold: ['所有数字关系均成立。', 'Every relation holds.'],
  relations: ['数字关系', 'Relations'],
  data: ['与系统数据对照', 'Against the data'],
  dataSummary: ['有据 {supported} 个，与数据不符 {contradicted} 个，无法核对 {unchecked} 个。', '{supported} supported, {contradicted} contradicted, {unchecked} cannot be checked.'],
  holds: ['成立', 'Holds'],
  holds_other_rounding: ['按另一取舍规则成立', 'Holds under other rounding'],
  fails: ['不成立', 'Fails'],
  supported: ['有据', 'Supported'],
  contradicted: ['与数据不符', 'Contradicted'],
  correction: ['建议更正', 'Likely correction'],
  location: ['第{line}行第{column}列', 'line {line}, column {column}'],
  text: ['原文', 'Text'],
  sum: ['合计与分项', 'Total and parts'],
  subset: ['其中（部分不大于整体）', 'Part within whole'],
  rate: ['比率', 'Rate'],
  rate_base: ['比率的基数', 'Base of a rate'],
  pp_change: ['百分点变化', 'Point change'],
  growth: ['增长率', 'Growth'],
  per_unit: ['人均×人数＝合计', 'Per head × count = total'],
  table_total: ['表格合计', 'Table total'],
  repeat: ['同一数字两处', 'Same figure twice'],
  rollup: ['上下级合计', 'Unit against sub-units'],
  truncation: ['截尾', 'truncation'],
  whole_percent: ['取整数百分比', 'whole percent'],
  one_decimal: ['保留一位小数', 'one decimal'],
} as const;

export type Word = keyof typeof WORDS;
export const words = wordsOf(WORDS);
