import { type Block, type Inline, type ProvenanceEntry, type ReportModel, formatReportDate, reportLabels } from './model.ts';
import { derivationInWords } from './method-words.ts';

type ProvenanceLocale = ReportModel['locale'];

/** Styles scoped to the report's root element, so a fragment leaves the page around it alone. */
const REPORT_CSS = `
.xz-report{font-family:'FangSong','STFangsong','FangSong_GB2312','仿宋_GB2312','Noto Serif CJK SC','Source Han Serif SC',serif;line-height:1.9}
.xz-report h1,.xz-report h2,.xz-report h3,.xz-report h4,.xz-report caption{font-family:'SimHei','STHeiti','Noto Sans CJK SC','Source Han Sans SC',sans-serif;font-weight:normal}
.xz-report h1{text-align:center;font-size:1.6em;margin:.6em 0 .2em}
.xz-report .subtitle,.xz-report .issuer{text-align:center;margin:0}
.xz-report .issuer{margin-bottom:1.2em}
.xz-report h2{font-size:1.15em}
.xz-report h3,.xz-report h4{font-size:1em}
.xz-report p{text-indent:2em;margin:.3em 0;text-align:justify}
.xz-report p.subtitle,.xz-report p.issuer{text-indent:0}
.xz-report table{border-collapse:collapse;margin:.6em auto;font-size:.9em}
.xz-report caption{padding:.3em}
.xz-report th,.xz-report td{border:1px solid #444;padding:.2em .5em;vertical-align:top}
.xz-report th{font-weight:bold;text-align:center}
.xz-report .fig{border-bottom:1px dotted #888;cursor:help}
.xz-report .pagebreak{break-after:page;border:0;margin:0}
.xz-report .provenance td code{font-size:.9em}
`;

const PAGE_CSS = `
body{margin:2em auto;max-width:52em;padding:0 1em;color:#111;background:#fff}
@media print{body{margin:0;max-width:none}.xz-report .fig{border:0}}
`;

/**
 * HTML of a report. Every model string is escaped. Each figure is a
 * `<span class="fig" data-ref="F12" title="label">text</span>`; the appendix rows carry `id="prov-F12"`.
 * Without `standalone` the result is a fragment (one `<article>` with its scoped `<style>`) for embedding
 * in a page; with it, a complete document. The same model always gives the same text.
 */
export function renderHtml(m: ReportModel, opts: { standalone?: boolean } = {}): string {
  const L = reportLabels(m.locale);
  const labels = new Map(m.provenance.map((p) => [p.id, p.label]));
  const inl = (parts: readonly Inline[]) => parts.map((p) => inline(p, labels)).join('');
  const body: string[] = [
    `<h1>${esc(m.title)}</h1>`,
    ...(m.subtitle ? [`<p class="subtitle">${esc(m.subtitle)}</p>`] : []),
    `<p class="issuer">${esc(m.issuer)}<br><time datetime="${esc(m.date)}">${esc(formatReportDate(m.date, m.locale))}</time></p>`,
  ];
  for (const b of m.blocks) body.push(block(b, inl));
  if (m.provenance.length) body.push(appendix(m.provenance, L, m.locale));
  const article = `<article class="xz-report" lang="${m.locale}">\n<style>${REPORT_CSS}</style>\n${body.join('\n')}\n</article>\n`;
  if (!opts.standalone) return article;
  return `<!DOCTYPE html>
<html lang="${m.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(m.title + (m.subtitle ?? ''))}</title>
<meta name="author" content="${esc(m.issuer)}">
<style>${PAGE_CSS}</style>
</head>
<body>
${article}</body>
</html>
`;
}

function inline(p: Inline, labels: ReadonlyMap<string, string>): string {
  if (p.kind === 'text') return esc(p.text);
  const label = labels.get(p.ref);
  return `<span class="fig" data-ref="${esc(p.ref)}"${label === undefined ? '' : ` title="${esc(label)}"`}>${esc(p.text)}</span>`;
}

function block(b: Block, inl: (parts: readonly Inline[]) => string): string {
  switch (b.kind) {
    case 'heading':
      return `<h${b.level + 1}>${esc(b.text)}</h${b.level + 1}>`;
    case 'paragraph':
      return `<p>${inl(b.parts)}</p>`;
    case 'list':
      return `<ul>\n${b.items.map((it) => `<li>${inl(it)}</li>`).join('\n')}\n</ul>`;
    case 'table': {
      const style = (i: number) => {
        const a = b.align?.[i];
        return a && a !== 'left' ? ` style="text-align:${a}"` : '';
      };
      return [
        '<table>',
        `<caption>${esc(b.caption)}</caption>`,
        `<thead><tr>${b.columns.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr></thead>`,
        '<tbody>',
        ...b.rows.map((r) => `<tr>${b.columns.map((_, i) => `<td${style(i)}>${inl(r[i] ?? [])}</td>`).join('')}</tr>`),
        '</tbody>',
        '</table>',
      ].join('\n');
    }
    case 'pagebreak':
      return '<hr class="pagebreak">';
  }
}

function appendix(entries: readonly ProvenanceEntry[], L: ReturnType<typeof reportLabels>, locale: ProvenanceLocale): string {
  const rows = entries.map((p) => {
    const derivation = esc(derivationInWords(p, entries, locale));
    return `<tr id="prov-${esc(p.id)}"><td>${esc(p.id)}</td><td>${esc(p.label)}</td><td style="text-align:right">${esc(p.value)}</td>`
      + `<td>${derivation}</td><td>${p.sources.map(esc).join('<br>')}</td></tr>`;
  });
  return [
    '<section class="provenance">',
    `<h2>${esc(L.appendix)}</h2>`,
    '<table>',
    `<thead><tr>${[L.id, L.label, L.value, L.derivation, L.sources].map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...rows,
    '</tbody>',
    '</table>',
    '</section>',
  ].join('\n');
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
