import { wordsOf } from '../../i18n.ts';

/** The words of the zip of every county's report ([zh, en]). */
const WORDS = {
  zipTitle: ['所辖各县自评报告', "Every county's report"],
  zipIntro: [
    '把{u}所辖、有{y}年数据的每个县的 Word 自评报告（及数据来源附件）打包为一个 zip 文件。报告在后台逐县生成，可以离开本页稍后再来查看。',
    "Writes the Word self-assessment report (and its figure-sources annex) of every county under {u} with data for {y} into one zip file. The reports are written in the background, county by county.",
  ],
  zipStart: ['下载所辖各县报告（zip）', "Download every county's report (zip)"],
  zipUnit: ['范围', 'Scope'],
  zipNation: ['全国', 'the nation'],
  zipRunning: ['正在生成：{c}', 'Writing: {c}'],
  zipEta: ['约还需 {s} 秒', 'about {s} s left'],
  zipDone: ['已完成：{n} 份报告', 'Done: {n} reports'],
  zipDownload: ['下载 zip（{size}）', 'Download the zip ({size})'],
  zipCancel: ['取消', 'Cancel'],
  zipCancelled: ['已取消', 'Cancelled'],
  zipAgain: ['重新生成', 'Write again'],
  zipFailures: ['{n} 个县的报告未能生成（已列入 zip 中的清单）：', "{n} counties' reports could not be written (listed in the zip):"],
} as const;

export const words = wordsOf(WORDS);
