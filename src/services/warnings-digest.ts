import type { WarningsReport } from './warnings.ts';

/** Markdown digest of a warnings report: counties ranked by how far behind, then each county's pace and warnings. */

const SEV = { high: '高 high', medium: '中 medium', low: '低 low' } as const;
const cell = (s: string | null | undefined) => (s ?? '—').replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderWarningsMarkdown(r: WarningsReport): string {
  const out: string[] = [];
  out.push(`# 预警摘要 Early warnings · ${r.unitName}（${r.unit}）· 截至 as of ${r.asOf}`, '');
  out.push(`规则 Rules: ${r.rules.join(', ')}`, '');
  if (!r.counties.length) {
    out.push('该单位下没有本年度有数据的县。No county under this unit holds data for the year.', '');
    return out.join('\n');
  }
  out.push('| 排名 Rank | 县 County | 落后程度 Behind | 高 | 中 | 低 | 已说明 Acknowledged |', '|---:|---|---:|---:|---:|---:|---:|');
  for (const c of r.counties) {
    const n = (s: string) => c.warnings.filter((w) => w.severity === s).length;
    out.push(`| ${c.rank} | ${cell(c.name)}（${c.code}） | ${c.behind.toFixed(2)} | ${n('high')} | ${n('medium')} | ${n('low')} | ${c.warnings.filter((w) => w.ack).length} |`);
  }
  out.push('');
  for (const c of r.counties) {
    out.push(`## ${c.rank}. ${c.name}（${c.code}）`, '');
    if (c.pace.length) {
      out.push('| 指标 Indicator | 目标 Target | 截至当日 To date | 年底预计 Year end | 达到日期 Reached on | 差额 Gap | 方法 Method |', '|---|---|---:|---:|---|---:|---|');
      for (const p of c.pace)
        out.push(`| ${cell(p.label.zh)} | ${cell(p.target.display)} | ${cell(p.toDate)} | ${cell(p.projection)} | ${p.reached ? '已达到' : cell(p.reachDate)} | ${cell(p.gap)} | ${cell(p.methodText.zh)} |`);
      out.push('');
    }
    if (!c.warnings.length) out.push('无预警。No warnings.', '');
    for (const w of c.warnings) {
      out.push(`- **【${SEV[w.severity]}】${cell(w.title.zh)}** — ${cell(w.detail.zh)}`);
      if (w.records.length) out.push(`  - 记录 Records: ${w.records.map((x) => `${x.ledgerLabel.zh} #${x.id} ${x.title}${x.date ? `（${x.date}）` : ''}`).join('；')}`);
      if (w.ack) out.push(`  - 县里说明 Note (${w.ack.by}, ${w.ack.at.slice(0, 10)}): ${w.ack.note}`);
    }
    out.push('');
  }
  return out.join('\n');
}
