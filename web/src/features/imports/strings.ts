import { wordsOf } from '../../i18n.ts';

/** The import page's words ([zh, en]). */
const WORDS = {
  title: ['导入台账', 'Import ledgers'],
  intro: [
    '上传一个或多个台账文件（.xlsx 或 .csv，每个不超过 20 MB，最多 10 个）。先检查：逐行校验并统计新增、更新、未变的记录，不写入任何数据；检查无误后再确认导入。导入要么全部成功，要么一条都不写入。',
    'Upload one or more ledger files (.xlsx or .csv, at most 20 MB each, up to 10). First check them: every row is validated and counted as added, updated or unchanged, nothing is written. Then confirm. An import writes everything or nothing.',
  ],
  drop: ['点击或拖入台账文件', 'Click or drop ledger files here'],
  dropHint: ['可从“台账管理”页下载模板或导出的台账，修改后再导入', 'Download a template or an export from a ledger page, edit it, and import it here'],
  check: ['检查（不写入）', 'Check (no changes)'],
  confirm: ['确认导入', 'Import now'],
  clear: ['清空', 'Clear'],
  notAllowed: ['只有本县的填报员、审核员和管理员可以导入台账', 'Only county users of this county and administrators can import ledgers'],
  checkedOk: ['检查通过：共读取 {rows} 行，没有发现问题。确认后写入。', 'Check passed: {rows} rows read, no problems. Confirm to write them.'],
  checkedBad: ['发现 {n} 个问题，未写入任何数据。请修改文件后重新检查。', '{n} problems found; nothing was written. Fix the files and check again.'],
  imported: ['导入完成：共 {rows} 行已写入。', 'Imported: {rows} rows written.'],
  importFailed: ['导入未完成：发现 {n} 个问题，未写入任何数据。', 'Not imported: {n} problems found; nothing was written.'],
  shownOnly: ['仅显示前 {shown} 个', 'only the first {shown} are shown'],
  summary: ['按台账统计', 'Per ledger'],
  ledger: ['台账', 'Ledger'],
  added: ['新增', 'Added'],
  updated: ['更新', 'Updated'],
  unchanged: ['未变', 'Unchanged'],
  problems: ['问题清单', 'Problems'],
  file: ['文件', 'File'],
  sheet: ['工作表', 'Sheet'],
  row: ['行', 'Row'],
  column: ['列', 'Column'],
  value: ['值', 'Value'],
  reason: ['原因', 'Reason'],
  annotated: ['下载标注了问题的文件', 'Download the file with its problems marked'],
  marked: ['{n} 处标注', '{n} marked'],
  notices: ['提示', 'Notices'],
  findings: ['疑似同一人重复登记', 'Possibly the same person recorded twice'],
  findingsHint: ['这些记录已导入，未合并；请核实是否为同一人。', 'These records were imported and not merged; check whether they are the same person.'],
  records: ['记录', 'Records'],
  stale: ['文件已更换，请重新检查', 'The files changed; check them again'],
  noFiles: ['请先选择文件', 'Choose files first'],
  typeRefused: ['只能导入 .xlsx 或 .csv 文件', 'Only .xlsx and .csv files can be imported'],
  tooLarge: ['文件不能超过 20 MB', 'Files must be at most 20 MB'],
  refused: ['文件未被接受', 'The files were not accepted'],
  progress: ['正在处理：已读取 {rows} 行…', 'Working: {rows} rows read…'],
  preview: ['与已有记录的对应', 'Matched to the records already there'],
  matched: ['对应已有记录', 'Matched'],
  loosely: ['其中 {n} 条按表中已有的关键列对应', '{n} of them on the key columns the sheet has'],
  new: ['新记录', 'New'],
  ambiguous: ['无法确定', 'Ambiguous'],
} as const;

export type Word = keyof typeof WORDS;

export const words = wordsOf(WORDS);
