import type { Locale } from '../../i18n.ts';

/** The warnings page's words ([zh, en]). */
const WORDS = {
  title: ['预警', 'Early warnings'],
  intro: [
    '按截至所选日期的带日期记录，测算每项目标的进度、年底预计和达到目标的日期，并按省里配置的规则检查项目、资金拨付和台账更新。每条预警列出所依据的记录。',
    'From the records dated up to the chosen day: the pace of every target, the figure expected at the year end and the day the target is reached; and the province\'s rules on projects, disbursements and ledger updates. Every warning names the records behind it.',
  ],
  asOf: ['截至', 'As of'],
  today: ['今天', 'Today'],
  scopeCounty: ['本县', 'This county'],
  scopeUnit: ['所辖各县', 'My counties'],
  rank: ['排名', 'Rank'],
  county: ['县区', 'County'],
  behind: ['落后程度', 'How far behind'],
  behindHelp: ['各项目标年底预计差额占目标的比例之和', 'The year-end gaps of the targets, as shares of the targets, added up'],
  high: ['高', 'High'],
  medium: ['中', 'Medium'],
  low: ['低', 'Low'],
  acked: ['已说明', 'Acknowledged'],
  pace: ['目标进度', 'Pace of targets'],
  indicator: ['指标', 'Indicator'],
  target: ['目标', 'Target'],
  toDate: ['截至当日', 'To date'],
  projection: ['年底预计', 'Year end'],
  reachDate: ['达到日期', 'Reached on'],
  reached: ['已达到', 'Reached'],
  gap: ['差额', 'Gap'],
  method: ['测算方法', 'Method'],
  onTrack: ['可完成', 'On track'],
  offTrack: ['难完成', 'Off track'],
  noPace: ['未测算', 'Not projected'],
  warnings: ['预警', 'Warnings'],
  none: ['截至该日没有预警', 'No warnings as of this day'],
  noTargets: ['本年度没有设定目标', 'No targets set for the year'],
  records: ['依据记录', 'Records'],
  note: ['县里说明', "County's note"],
  ack: ['说明情况', 'Acknowledge'],
  editAck: ['修改说明', 'Edit note'],
  ackTitle: ['说明预警情况', 'Acknowledge the warning'],
  ackHelp: ['说明会保存并记入操作日志，预警仍会显示，并附上说明。', 'The note is stored and audited; the warning stays visible with it.'],
  ackRequired: ['请填写说明', 'Write a note'],
  ackSaved: ['说明已保存', 'Note saved'],
  drafts: ['生成“存在的问题”草稿', 'Draft “problems” paragraphs'],
  draftsHelp: ['把全年未完成的目标和未按期的项目写成自评报告“存在的问题”的草稿，可在“报告文字”页修改。', "Writes the year's missed targets and late projects as drafts of the report's problems section, to edit on the narrative page."],
  draftsDone: ['已生成 {n} 段草稿', '{n} draft paragraph(s) written'],
  draftsNone: ['没有未完成的目标或未按期的项目，无需生成', 'No missed target and no late project: nothing to draft'],
  draftsReplace: ['已有据预警生成的草稿，是否用新内容替换？', 'Drafts from the warnings exist already. Replace them?'],
  openNarrative: ['去修改', 'Edit them'],
  openLedger: ['在台账中查看', 'Open the ledger'],
  record: ['记录', 'Record'],
  by: ['由 {who} 于 {at}', 'by {who} on {at}'],
  rules: ['规则来源', 'Rules from'],
  viewCounty: ['查看', 'View'],
} as const;

export type Word = keyof typeof WORDS;

export function words(locale: Locale) {
  return (k: Word, vars?: Record<string, string | number>): string => {
    let s: string = WORDS[k][locale === 'zh' ? 0 : 1];
    for (const [n, v] of Object.entries(vars ?? {})) s = s.replace(`{${n}}`, String(v));
    return s;
  };
}
