import ExcelJS from 'exceljs';
import type { WarningsReport } from '../services/warnings.ts';

const SEV = { high: '高', medium: '中', low: '低' } as const;

/** The warnings digest as a workbook: counties ranked, the pace of every target, every warning with its records and note. */
export async function warningsWorkbook(r: WarningsReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Xiezuo';
  const sheet = (name: string, cols: Array<[string, number]>) => {
    const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = cols.map(([header, width]) => ({ header, width }));
    ws.getRow(1).font = { bold: true };
    return ws;
  };
  const rank = sheet('排名', [['排名', 6], ['县代码', 10], ['县', 16], ['落后程度', 10], ['高', 6], ['中', 6], ['低', 6], ['已说明', 8]]);
  for (const c of r.counties) {
    const n = (s: string) => c.warnings.filter((w) => w.severity === s).length;
    rank.addRow([c.rank, c.code, c.name, Number(c.behind.toFixed(4)), n('high'), n('medium'), n('low'), c.warnings.filter((w) => w.ack).length]);
  }
  const pace = sheet('目标进度', [['县代码', 10], ['县', 16], ['指标', 28], ['目标', 18], [`截至${r.asOf}`, 16], ['年底预计', 16], ['达到日期', 12], ['差额', 14], ['方法', 40]]);
  for (const c of r.counties) for (const p of c.pace)
    pace.addRow([c.code, c.name, p.label.zh, p.target.display, p.toDate ?? '', p.projection ?? '', p.reached ? '已达到' : p.reachDate ?? '', p.gap ?? '', p.methodText.zh]);
  const warn = sheet('预警', [['县代码', 10], ['县', 16], ['级别', 6], ['预警', 44], ['说明', 60], ['记录', 60], ['县里说明', 40], ['编号', 30]]);
  for (const c of r.counties) for (const w of c.warnings) {
    const row = warn.addRow([c.code, c.name, SEV[w.severity], w.title.zh, w.detail.zh,
      w.records.map((x) => `${x.ledgerLabel.zh} #${x.id} ${x.title}${x.date ? `（${x.date}）` : ''}`).join('\n'), w.ack?.note ?? '', w.key]);
    row.alignment = { wrapText: true, vertical: 'top' };
  }
  const info = wb.addWorksheet('说明');
  info.addRows([['单位', `${r.unitName}（${r.unit}）`], ['截至', r.asOf], ['规则', r.rules.join(', ')]]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
