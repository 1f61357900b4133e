import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rational } from '../rational.ts';
import { SEED_REPORT, sourceAvailable, sourcePath, sourceText } from '../../../test/support/sources.ts';
import { auditText, chineseNumeral, crossDocumentRelations, extractFigures, rollupRelations, type RelationView, type TextAudit } from './index.ts';

// The seed report and the extracts are source documents kept outside the project (see test/support/sources.ts).
const SEED = sourceText(SEED_REPORT, 'the audit of the seed report') ?? '';
const EXAMPLES = sourcePath('examples/');
const examplesThere = sourceAvailable('examples/', 'the audit of the extract files');

const summary = (r: RelationView) => `${r.verdict} ${r.kind} ${r.figures.map((f) => f.text).join(' ')}`;
const failures = (a: TextAudit) => a.relations.filter((r) => r.verdict === 'fails');

describe('extraction', () => {
  it('reads Chinese numerals in words', () => {
    expect(chineseNumeral('三')).toBe(3);
    expect(chineseNumeral('两')).toBe(2);
    expect(chineseNumeral('十二')).toBe(12);
    expect(chineseNumeral('二十三')).toBe(23);
    expect(chineseNumeral('一百零五')).toBe(105);
    expect(chineseNumeral('三千五百')).toBe(3500);
    expect(chineseNumeral('一万二千')).toBe(12000);
    expect(chineseNumeral('中')).toBeNull();
  });

  it('reads units, multipliers, qualifiers, ranges, full-width digits and 百分之', () => {
    const x = extractFigures('投入１２．５万元，惠及三名学生、两所学校，约12万元，40余家企业，近万人，超过1000万元，年出栏1.2万-1.5万只，占百分之三十，2.5亿元，860多人，不少于30人。');
    const got = x.figures.map((f) => [f.text, f.value.toString(), f.unit, f.qual]);
    expect(got).toEqual([
      ['１２．５万元', '125000', '万元', 'exact'],
      ['三名', '3', '名', 'exact'],
      ['两所', '2', '所', 'exact'],
      ['约12万元', '120000', '万元', 'about'],
      ['40余家', '40', '家', 'over'],
      ['近万人', '10000', '人', 'under'],
      ['超过1000万元', '10000000', '万元', 'over'],
      ['1.2万-1.5万只', '12000', '万只', 'range'],
      ['百分之三十', '30', '%', 'exact'],
      ['2.5亿元', '250000000', '亿元', 'exact'],
      ['860多人', '860', '人', 'over'],
      ['不少于30人', '30', '人', 'over'],
    ]);
    expect(x.figures[7]!.max!.toString()).toBe('15000');
  });

  it('leaves out years, dates, document titles and numbers without a unit', () => {
    const x = extractFigures('2022年7月13日至14日，依据《2021年帮扶方案（第3版）》召开832平台推介会，共3场。');
    expect(x.figures.map((f) => f.text)).toEqual(['3场']);
  });

  it('locates each figure by offset, paragraph, line and column, and keeps its sentence and label', () => {
    const text = '第一段没有数字。\n\n县里召开\n会议6次，\n参会120人。';
    const x = extractFigures(text);
    expect(x.figures.map((f) => [f.text, f.location.paragraph, f.location.line, f.location.column])).toEqual([['6次', 2, 4, 3], ['120人', 2, 5, 3]]);
    expect(text.slice(x.figures[0]!.location.start, x.figures[0]!.location.end)).toBe('6次');
    // A line break without sentence punctuation (a page break) does not end the sentence.
    expect(x.figures[0]!.label).toBe('县里召开会议');
    expect(x.figures[0]!.sentence).toBe(x.figures[1]!.sentence);
  });

  it('gives a bare number the unit of the figure it is listed with, across a page break', () => {
    const x = extractFigures('分别提高10.38\n\n和19.74个百分点。');
    expect(x.figures.map((f) => [f.text, f.unit])).toEqual([['10.38', '个百分点'], ['19.74个百分点', '个百分点']]);
  });
});

describe.skipIf(!SEED)('the seed report', () => {
  const audit = auditText(SEED);

  it('finds every relation it states, and each holds', () => {
    expect(audit.relations.map(summary)).toEqual([
      'holds sum 36对 2对 2对 2对 3对 24对 3对',
      'holds rate_base 37.74% 160人',
      'holds pp_change 10.38 37.74%',
      'holds pp_change 19.74个百分点 37.74%',
      'holds rate_base 40.57% 172人',
      'holds pp_change 10.97 40.57%',
      'holds pp_change 21.38个百分点 40.57%',
      'holds sum 13场 4场 9场',
      'holds subset 3698人 919人',
      'holds sum 5名 1名 两名',
      'holds subset 5名 2人',
      'holds sum 三名 1名 两名',
      'holds subset 44名 22人',
      'holds sum 5100万元 3178.587万元 314万元 143.6万元 37.52万元 1326.293万元 100万元',
      'holds rate 89.45% 4562.143万元 5100万元',
      'holds rate 100% 43个 43个',
      'holds_other_rounding rate 70% 30个 43个',
      'holds sum 1377.52万元 174.2万元 900万元 280万元 23.32万元',
      'holds per_unit 18万元 150名 1200元',
    ]);
    expect(audit.failures).toBe(0);
  });

  it('says which rounding rule 70% follows, and what the pp changes imply', () => {
    const r = audit.relations.find((x) => x.figures[0]!.text === '70%')!;
    expect(r.rounding).toBe('whole_percent');
    expect(r.detail.zh).toContain('69.77%');
    expect(audit.relations.find((x) => x.figures[0]!.text === '19.74个百分点')!.detail.zh).toContain('2020年为 18%');
  });
});

describe('texts in our own words stating the figures of other published reports', () => {
  it('finds category amounts that exceed the stated total (察右前旗 2018–2021)', () => {
    const a = auditText('三年来累计投入扶贫协作资金5107.12万元，实施4大类24个项目。其中，产业发展资金3952万元，教育医疗资金1291.3万元。');
    expect(failures(a).map(summary)).toEqual(['fails sum 5107.12万元 3952万元 1291.3万元']);
    expect(failures(a)[0]!.detail.zh).toContain('超过合计 5107.12万元 136.18万元');
  });

  it('accepts a rounded per-county average and subsets within their wholes (广西 2022)', () => {
    const a = auditText('全年广东拨付财政帮扶资金17.58亿元，惠及33个协作县，县均5327万元。共建产业园区111个，其中农业产业园71个。帮助农村劳动力就业75.31万人，其中到广东就业26.35万人。');
    expect(a.relations.map(summary)).toEqual([
      'holds per_unit 17.58亿元 33个 5327万元',
      'holds subset 111个 71个',
      'holds subset 75.31万人 26.35万人',
    ]);
  });

  it('finds nothing wrong where the figures agree (兰坪 2021, 苍溪 2021)', () => {
    const lanping = auditText('2021年安排东西部帮扶资金5000万元，其中产业发展4800万元。蔬菜大棚项目带动农户500户1782人，其中脱贫人口413户1528人。');
    expect(lanping.relations.map(summary)).toEqual(['holds subset 5000万元 4800万元', 'holds subset 500户 413户', 'holds subset 1782人 1528人']);
    const cangxi = auditText('余杭区投入协作专项资金3900万元、财政捐赠资金200万元，动员社会资金251万元；引进企业6家，投资3.18亿元。');
    expect(cangxi.relations).toEqual([]);
  });

  it('finds the inconsistencies the issue names', () => {
    const cases: Array<[string, string]> = [
      ['建立街道与乡镇结对4对、村企结对5对、学校结对3对、医院结对6对，共计20对。', 'fails sum 20对 4对 5对 3对 6对'],
      ['应完成项目32个，完成25个，完成率73.5%。', 'fails rate 73.5% 25个 32个'],
      ['本科上线率由27.36%提高到37.74%，提高11.38个百分点。', 'fails pp_change 11.38个百分点 27.36% 37.74%'],
      ['为150名学生发放助学金15万元（每人1200元）。', 'fails per_unit 15万元 150名 1200元'],
      ['招聘会13场（其中线上4场，线下8场）。', 'fails sum 13场 4场 8场'],
      ['销售额由1000万元增长到1232万元，同比增长25.2%。', 'fails growth 25.2% 1000万元 1232万元'],
      ['带动农村人口3698人，其中脱贫人口3919人。', 'fails subset 3698人 3919人'],
    ];
    for (const [text, want] of cases) expect(failures(auditText(text)).map(summary), text).toEqual([want]);
    const rate = failures(auditText('应完成项目32个，完成25个，完成率73.5%。'))[0]!;
    expect(rate.correction!.zh).toContain('78.13%');
    const sum = failures(auditText('建立街道与乡镇结对4对、村企结对5对、学校结对3对、医院结对6对，共计20对。'))[0]!;
    expect(sum.correction!.zh).toMatch(/18对|少计 2对/);
  });

  it('accepts what a careful reviewer accepts: truncation named, approximate figures, growth that holds', () => {
    const t = auditText('资金到位1000万元，拨付666.67万元，拨付率66.66%。');
    expect(t.relations.map((r) => [r.verdict, r.rounding])).toEqual([['holds_other_rounding', 'truncation']]);
    expect(auditText('销售额由1000万元增长到1232万元，同比增长23.2%。').failures).toBe(0);
    expect(auditText('捐款捐物约50万元，其中现金约30万元、物资约25万元。').failures).toBe(0);
    expect(auditText('带动168户696名群众增收，人均月增收近2600元。').relations).toEqual([]);
  });

  it.skipIf(!examplesThere)('runs over the extract files themselves without a false alarm', () => {
    const dir = EXAMPLES;
    const files = readdirSync(dir).filter((f) => f.endsWith('.txt'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) expect(failures(auditText(readFileSync(dir + f, 'utf8'))).map(summary), f).toEqual([]);
  });
});

describe('several documents', () => {
  it('the same figure in two versions of one report must agree; figures named differently are left alone', () => {
    const a = { name: 'a', text: '引进企业6家，吸纳农村劳动力就业132人。' };
    const b = { name: 'b', text: '引进企业6家，吸纳农村劳动力就业123人，培训300人。' };
    expect(crossDocumentRelations([a, b]).map((r) => [r.verdict, r.figures.map((f) => f.text)])).toEqual([['holds', ['6家', '6家']], ['fails', ['132人', '123人']]]);
  });

  it('sub-units may not add up to more than their parent; with every sub-unit given they must add up to it', () => {
    const p = { name: '州', text: '全年到位帮扶资金12.16亿元，共建园区5个。' };
    const subs = [{ name: '甲', text: '全年到位帮扶资金5.3亿元，共建园区2个。' }, { name: '乙', text: '全年到位帮扶资金7.31亿元，共建园区2个。' }];
    expect(rollupRelations(p, subs).map((r) => [r.verdict, r.parent.text])).toEqual([['fails', '12.16亿元'], ['holds', '5个']]);
    expect(rollupRelations(p, subs, true).map((r) => r.verdict)).toEqual(['fails', 'fails']);
  });
});

// ---------------------------------------------------------------------------------------------
// 50 variants of the seed, each with one figure changed. Whether a change breaks a stated relation
// is decided here by independent arithmetic over the relations the seed states, not by the auditor.

type Val = (text: string, k?: number) => Rational;
const pct = (n: Rational, d: Rational) => n.div(d).mul(Rational.of(100));
const roundsTo = (v: Rational, stated: Rational, decimals: number) => Rational.parse(v.toDecimalString(decimals)).eq(stated);
const decimalsIn = (s: string) => (/\.(\d+)/.exec(s)?.[1]?.length ?? 0);

interface OracleRelation { members: Array<[string, number]>; holds: (v: Val, raw: (t: string, k?: number) => string) => boolean }

const sumOf = (v: Val, items: Array<[string, number]>) => items.reduce((s, [t, k]) => s.add(v(t, k)), Rational.ZERO);
const integerBase = (n: Rational, rate: Rational, decimals: number) => {
  for (let N = 1n; N <= 100_000n; N++) if (roundsTo(pct(n, Rational.of(N)), rate, decimals)) return true;
  return false;
};
const PAIRINGS: Array<[string, number]> = [['2对', 0], ['2对', 1], ['2对', 2], ['3对', 0], ['24对', 0], ['3对', 1]];
const FUNDS: Array<[string, number]> = [['3178.587万元', 0], ['314万元', 0], ['143.6万元', 0], ['37.52万元', 0], ['1326.293万元', 0], ['100万元', 1]];
const VILLAGES: Array<[string, number]> = [['174.2万元', 0], ['900万元', 0], ['280万元', 0], ['23.32万元', 0]];
const ORACLE: OracleRelation[] = [
  { members: [['36对', 0], ...PAIRINGS], holds: (v) => sumOf(v, PAIRINGS).eq(v('36对')) },
  { members: [['160人', 0], ['37.74%', 0]], holds: (v, raw) => integerBase(v('160人'), v('37.74%'), decimalsIn(raw('37.74%'))) },
  { members: [['172人', 0], ['40.57%', 0]], holds: (v, raw) => integerBase(v('172人'), v('40.57%'), decimalsIn(raw('40.57%'))) },
  ...([['37.74%', '10.38'], ['37.74%', '19.74个百分点'], ['40.57%', '10.97'], ['40.57%', '21.38个百分点']] as const).map(([r, c]): OracleRelation => ({
    members: [[r, 0], [c, 0]], holds: (v) => { const e = v(r).sub(v(c)); return e.sign() >= 0 && e.cmp(Rational.of(100)) <= 0; },
  })),
  { members: [['13场', 0], ['4场', 0], ['9场', 0]], holds: (v) => v('4场').add(v('9场')).eq(v('13场')) },
  { members: [['3698人', 0], ['919人', 0]], holds: (v) => v('919人').cmp(v('3698人')) <= 0 },
  { members: [['5名', 0], ['2人', 0]], holds: (v) => v('2人').cmp(v('5名')) <= 0 },
  { members: [['5名', 0], ['1名', 0]], holds: (v) => v('1名').add(Rational.of(2)).cmp(v('5名')) <= 0 },
  { members: [['1名', 0]], holds: (v) => v('1名').add(Rational.of(2)).eq(Rational.of(3)) },
  { members: [['44名', 0], ['22人', 0]], holds: (v) => v('22人').cmp(v('44名')) <= 0 },
  { members: [['5100万元', 0], ...FUNDS], holds: (v) => sumOf(v, FUNDS).eq(v('5100万元')) },
  { members: [['89.45%', 0], ['4562.143万元', 0], ['5100万元', 0]], holds: (v, raw) => roundsTo(pct(v('4562.143万元'), v('5100万元')), v('89.45%'), decimalsIn(raw('89.45%'))) },
  // 开工率: the 43 started over the 43 planned (the second 43个 of the text, in the same paragraph).
  { members: [['100%', 0], ['43个', 2], ['43个', 1]], holds: (v) => roundsTo(pct(v('43个', 2), v('43个', 1)), v('100%'), 2) || pct(v('43个', 2), v('43个', 1)).eq(v('100%')) },
  // 完工率: the 30 completed over the 43 planned, at two decimals or as a whole percent.
  { members: [['70%', 0], ['30个', 0], ['43个', 1]], holds: (v) => roundsTo(pct(v('30个'), v('43个', 1)), v('70%'), 0) || roundsTo(pct(v('30个'), v('43个', 1)), v('70%'), 2) },
  { members: [['1377.52万元', 1], ...VILLAGES], holds: (v) => sumOf(v, VILLAGES).eq(v('1377.52万元', 1)) },
  { members: [['18万元', 1], ['150名', 0], ['1200元', 0]], holds: (v) => v('150名').mul(v('1200元')).eq(v('18万元', 1)) },
];

/** Changes one digit, keeping the length: the last digit for even variants, the first for odd ones. */
function mutate(text: string, variant: number): string {
  const digits = [...text].map((c, i) => (/\d/.test(c) ? i : -1)).filter((i) => i >= 0);
  const at = variant % 2 === 0 ? digits[digits.length - 1]! : digits[0]!;
  const d = Number(text[at]);
  const next = variant % 2 === 1 && d === 9 ? 1 : (d + 1) % 10;
  return text.slice(0, at) + String(next) + text.slice(at + 1);
}

describe.skipIf(!SEED)('50 variants of the seed, each with one figure changed', () => {
  const base = extractFigures(SEED);
  const eligible = base.figures.filter((f) => /\d/.test(f.text));
  // A fixed pseudo-random choice (linear congruential), so every run changes the same figures.
  let seed = 20221129;
  const pool = [...eligible];
  const chosen: typeof eligible = [];
  while (chosen.length < 50 && pool.length) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    chosen.push(pool.splice(seed % pool.length, 1)[0]!);
  }
  const occurrence = (f: (typeof eligible)[number]) => base.figures.filter((g) => g.text === f.text && g.location.start < f.location.start).length;

  it('flags every planted error that breaks a stated relation at its location, and nothing else', () => {
    let breaking = 0;
    const silent: string[] = [];
    chosen.forEach((fig, i) => {
      const changed = mutate(fig.text, i);
      const text = SEED.slice(0, fig.location.start) + changed + SEED.slice(fig.location.end);
      const k = occurrence(fig);
      const raw = (t: string, n = 0) => (t === fig.text && n === k ? changed : t);
      const v: Val = (t, n = 0) => {
        const g = base.figures.filter((x) => x.text === t)[n]!;
        if (t !== fig.text || n !== k) return g.value;
        return extractFigures(text).figures.find((x) => x.location.start === fig.location.start)!.value;
      };
      const breaks = ORACLE.some((r) => r.members.some(([t, n]) => t === fig.text && n === k) && !r.holds(v, raw));
      const audit = auditText(text);
      const flagged = failures(audit);
      if (breaks) {
        breaking++;
        expect(flagged.length, `${fig.text} → ${changed}`).toBeGreaterThan(0);
        for (const r of flagged) expect(r.figures.map((f) => f.location.start), `${fig.text} → ${changed}: ${r.detail.zh}`).toContain(fig.location.start);
      } else {
        silent.push(`${fig.text}→${changed}`);
        expect(flagged.map((r) => r.detail.zh), `${fig.text} → ${changed} breaks no stated relation`).toEqual([]);
      }
    });
    console.log(`seed variants: ${breaking} of 50 break a stated relation and are flagged; ${silent.length} break none: ${silent.join(', ')}`);
    expect(breaking + silent.length).toBe(50);
    expect(breaking).toBeGreaterThan(10);
  });
});
