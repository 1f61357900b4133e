import { ledgerDecl } from '../domain/ledgers/declarations.ts';
import { type Fen, fen, formatWan } from '../domain/money.ts';
import type { Block, Inline, ProvenanceEntry, ReportModel } from '../reports/model.ts';
import type { Store } from '../store/db.ts';
import type { LedgerRecord } from '../store/ledger-repo.ts';
import { LedgerRepo } from '../store/ledger-repo.ts';
import { categoryLabel } from './config.ts';
import { invalid, notFound } from './errors.ts';
import { IndicatorEngine, type IndicatorResult } from './indicators.ts';
import { fullName, orgUnit } from './orgunits.ts';
import { type Actor, assertRead } from './scope.ts';

type Part = string | Inline;
/** Stands for a figure without data; see ReportBuilder.para. */
const MISSING: Inline = Object.freeze({ kind: 'text', text: '（暂无数据）' }) as Inline;
const CN_NUM = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'];

/** "7月13日至14日" or "5月30日至6月2日" from ISO dates. */
export function dateSpan(start: string, end?: string | null): string {
  const [, m1, d1] = start.split('-').map(Number);
  if (!end || end === start) return `${m1}月${d1}日`;
  const [, m2, d2] = end.split('-').map(Number);
  return m1 === m2 ? `${m1}月${d1}日至${d2}日` : `${m1}月${d1}日至${m2}月${d2}日`;
}

const qualText = (text: string, qual: unknown, unit: string, max?: string) =>
  qual === 'about' ? `约${text}${unit}` : qual === 'over' ? `${text}余${unit}` : qual === 'range' && max ? `${text}–${max}${unit}` : `${text}${unit}`;

/** Counts of ten thousand and more print as 1.2万 in ranges, the way reports write head counts. */
const headCount = (n: number) => (n >= 10000 && n % 1000 === 0 ? `${n / 10000}万` : String(n));

/**
 * Builds a report model in which every figure is an inline bound to an indicator or a record field,
 * each with a provenance entry naming its formula and the records or reported values behind it.
 */
class ReportBuilder {
  readonly blocks: Block[] = [];
  readonly provenance: ProvenanceEntry[] = [];
  private refs = new Map<string, string>();

  constructor(readonly engine: IndicatorEngine, readonly year: number) {}

  async ind(id: string, opts: { year?: number } = {}): Promise<IndicatorResult> {
    return this.engine.evaluate(id, opts.year ?? this.year);
  }

  /** The figure of an indicator as an inline; missing data prints as "（暂无数据）". */
  async fig(id: string): Promise<Inline> {
    const r = await this.ind(id);
    if (r.display === null) return MISSING;
    return { kind: 'figure', text: r.display, ref: await this.refFor(r) };
  }

  async refFor(r: IndicatorResult): Promise<string> {
    const key = `ind:${r.id}`;
    if (!this.refs.has(key)) {
      const ref = `F${this.provenance.length + 1}`;
      this.refs.set(key, ref);
      this.provenance.push({ id: ref, label: r.label.zh, value: r.display ?? '—', indicator: r.id, formula: r.formula, sources: await this.engine.sources(r) });
    }
    return this.refs.get(key)!;
  }

  /** A figure stored on one record (a donation's value, a park's floor area). */
  recFig(kind: string, rec: LedgerRecord, field: string, text: string): Inline {
    const key = `rec:${kind}:${rec.id}:${field}`;
    if (!this.refs.has(key)) {
      const ref = `F${this.provenance.length + 1}`;
      this.refs.set(key, ref);
      const decl = ledgerDecl(kind)!;
      const f = decl.fields.find((x) => x.name === field)!;
      this.provenance.push({
        id: ref, label: `${decl.label.zh}·${f.label.zh}`, value: text,
        sources: [`台账 ${decl.label.zh} #${rec.id} ${String(rec[decl.titleField] ?? '')}${rec.note ? `（${rec.note}）` : ''}`],
      });
    }
    return { kind: 'figure', text, ref: this.refs.get(key)! };
  }

  money(kind: string, rec: LedgerRecord, field: string): Inline | null {
    const v = rec[field];
    if (typeof v !== 'number') return null;
    const max = rec[`${field}_max`];
    return this.recFig(kind, rec, field, qualText(formatWan(fen(v) as Fen), rec[`${field}_qual`], '万元', typeof max === 'number' ? formatWan(fen(max) as Fen) : undefined));
  }

  count(kind: string, rec: LedgerRecord, field: string, unit: string): Inline | null {
    const v = rec[field];
    if (typeof v !== 'number') return null;
    const max = rec[`${field}_max`];
    return this.recFig(kind, rec, field, qualText(headCount(v), rec[`${field}_qual`], unit, typeof max === 'number' ? headCount(max) : undefined));
  }

  heading(level: 1 | 2 | 3, text: string) {
    this.blocks.push({ kind: 'heading', level, text });
  }

  /**
   * Adds a paragraph. A paragraph whose figures are all missing says nothing, so it is left out;
   * a figure missing among others prints as （暂无数据）.
   */
  para(...parts: Array<Part | null | undefined | false>) {
    const figs = parts.filter((p) => p === MISSING || (typeof p === 'object' && p !== null && p.kind === 'figure'));
    if (figs.length > 0 && figs.every((p) => p === MISSING)) return;
    const inl: Inline[] = [];
    for (let p of parts) {
      if (p === null || p === undefined || p === false) continue;
      if (p === MISSING) p = '（暂无数据）';
      if (typeof p === 'string') {
        const last = inl[inl.length - 1];
        if (last?.kind === 'text') last.text += p;
        else inl.push({ kind: 'text', text: p });
      } else inl.push(p);
    }
    if (inl.length) this.blocks.push({ kind: 'paragraph', parts: inl });
  }

  /** "A、B和C" from a list of inline groups. */
  static join(items: Part[][], last = '和', sep = '、'): Part[] {
    const out: Part[] = [];
    items.forEach((it, i) => {
      if (i > 0) out.push(i === items.length - 1 ? last : sep);
      out.push(...it);
    });
    return out;
  }

  /** "其中县委常委会议6次、…" from a breakdown indicator. */
  async breakdownParts(id: string, sep = '、'): Promise<Part[]> {
    const r = await this.ind(id);
    if (!r.breakdown?.length) return [];
    const ref = await this.refFor(r);
    const out: Part[] = [];
    r.breakdown.forEach((b, i) => {
      if (i > 0) out.push(sep);
      out.push(`${b.label}`, { kind: 'figure', text: b.display, ref });
    });
    return out;
  }
}

async function records(store: Store, kind: string, county: string, year: number): Promise<LedgerRecord[]> {
  return (await new LedgerRepo(store.db, ledgerDecl(kind)!).list(county, year)).rows;
}

/**
 * Builds the self-assessment report of a county-year from stored data. Sections follow the
 * assessment's structure; 存在的问题 lists every indicator that misses its target, with the stored
 * explanation, then the stored free-standing problems. Forbidden outside the actor's scope.
 */
export async function buildReport(store: Store, actor: Actor, county: string, year: number, opts: { generatedAt?: string } = {}): Promise<ReportModel> {
  if (!/^\d{6}$/.test(county)) throw invalid('自评报告按县生成，请给出6位县级区划代码', 'a self-assessment report is per county: give a 6-digit county code');
  await assertRead(store, actor, county);
  const meta = await store.db.selectFrom('report_meta').selectAll().where('county_code', '=', county).where('year', '=', year).executeTakeFirst();
  const unit = await orgUnit(store, county);
  if (!unit) throw notFound('未找到该县', 'county not found');
  const anyData = meta ?? (await store.db.selectFrom('ledger_state').select('ledger').where('county_code', '=', county).where('year', '=', year).executeTakeFirst())
    ?? (await store.db.selectFrom('reported_value').select('id').where('county_code', '=', county).where('year', '=', year).executeTakeFirst());
  if (!anyData) throw notFound(`${unit.name}${year}年尚无任何数据，无法生成报告`, `${county} has no data for ${year}; there is nothing to report`);
  const partner = meta?.partner_code ? await fullName(store, meta.partner_code) : null;
  const partnerShort = meta?.partner_code ? (await orgUnit(store, meta.partner_code))?.name ?? partner : null;
  const engine = new IndicatorEngine(store, county, year);
  const b = new ReportBuilder(engine, year);
  const rec = (kind: string) => records(store, kind, county, year);
  const narratives = await store.db.selectFrom('narrative').selectAll().where('county_code', '=', county).where('year', '=', year).orderBy('section').orderBy('seq').execute();
  const J = ReportBuilder.join;
  const name = unit.name;

  const partnerProvince = meta?.partner_code ? (await orgUnit(store, meta.partner_code.slice(0, 2)))?.name.replace(/市$|省$/, '') ?? null : null;
  const ruleFailures = (await engine.rules()).filter((r) => r.ok === false);
  if (ruleFailures.length)
    b.para(`【数据校验提示】以下${ruleFailures.length}项校验未通过，相关数字请核实后再使用：`, ...J(ruleFailures.map((r) => [`${r.label.zh}（${r.detail.zh}）`]), '；', '；'), '。');
  b.para(`${year}年，${name}${partner ? `与${partner}` : ''}围绕产业合作、劳务协作、消费帮扶、人才交流和乡村建设等重点任务，继续深化东西部协作。现将全年工作情况和自评结果报告如下。`);

  // 一、主要工作
  b.heading(1, `一、${year}年东西部协作主要工作`);
  b.heading(2, '（一）组织领导');
  b.heading(3, '1、研究部署');
  const meetingParts = await b.breakdownParts('meetings.by_type');
  if (meetingParts.length) b.para('县委、县政府把东西部协作列入重要议事日程，先后召开', ...meetingParts, '，研究部署协作任务，按清单推进落实。');
  b.heading(3, '2、交流互访');
  const visits = (await rec('visit')).filter((v) => v.direction !== 'study_tour');
  if (visits.length === 0) b.para('本年度暂无两地互访记录。');
  for (const v of visits)
    b.para(`${dateSpan(String(v.start_date), v.end_date as string)}，`, v.leader ? `${String(v.leader)}带领` : '', `${String(v.delegation)}赴${String(v.destination)}`,
      v.purpose ? `，${String(v.purpose).replace(/；/g, '，')}` : '', '。');
  if (visits.length) b.para('全年两地党政代表团互访', await b.fig('visits.exchange'), '，就深化结对共建、拓宽合作领域、明确对口部门责任达成共识。');
  b.heading(3, '3、结对帮扶');
  const pairParts = await b.breakdownParts('pairings.by_type');
  b.para('两地累计建立结对帮扶关系', await b.fig('pairings.total'), pairParts.length ? '，分别为' : '', ...pairParts, '。');
  b.para(`教育“组团式”帮扶成效明显：${year}年高考本科上线`, await b.fig('edu.line_count'), '，上线率', await b.fig('edu.line_rate'),
    `，比${year - 1}年、${year - 2}年分别提高`, await b.fig('edu.line_rate_change_1y'), '和', await b.fig('edu.line_rate_change_2y'),
    '；本科录取', await b.fig('edu.admitted'), '，录取率', await b.fig('edu.admit_rate'), '，分别提高', await b.fig('edu.admit_rate_change_1y'),
    '和', await b.fig('edu.admit_rate_change_2y'), '。');

  b.heading(2, '（二）助力巩固拓展脱贫攻坚成果');
  b.heading(3, '1、劳务协作');
  const fairs = (await rec('job_fair')).map((f) => [`“${String(f.name)}”`]);
  const modeParts = await b.breakdownParts('labour.job_fairs.by_mode');
  const transferred = await b.ind('labour.transferred');
  const exceeded = transferred.target?.reportedStatus === 'exceeded';
  b.para('全年组织招聘活动', await b.fig('labour.job_fairs'), modeParts.length ? '（' : '', ...modeParts, modeParts.length ? '）' : '',
    fairs.length ? '，包括' : '', ...J(fairs), '，并通过网络平台发布岗位信息。');
  b.para(`目前赴${partnerProvince ?? '协作地'}就业`, await b.fig('labour.to_partner'), '，省内转移就业', await b.fig('labour.in_province'), '，省外转移就业', await b.fig('labour.out_of_province'),
    transferred.status === 'met' ? (exceeded ? '，超额完成省下达的转移就业任务' : '，完成省下达的转移就业任务') : transferred.status === 'missed' ? '，未完成省下达的转移就业任务' : '', '。');
  b.heading(3, '2、消费帮扶');
  const channelParts = await b.breakdownParts('consumption.by_channel');
  b.para('推动本地企业和合作社通过帮扶平台、展销会、网络直播和电商等渠道销售产品，累计完成消费帮扶', await b.fig('consumption.sales'),
    channelParts.length ? '，其中' : '', ...channelParts, '。');
  b.heading(3, '3、特殊群体帮扶');
  const projects = await rec('project');
  const names = (cat: string) => J(projects.filter((p) => p.category === cat).map((p) => [`${String(p.name)}`]));
  b.para('一是防返贫保险。投入', await b.fig('insurance.premium'), '，为', await b.fig('insurance.households'), '、', await b.fig('insurance.people'),
    '脱贫人口购买防返贫保险，已有', await b.fig('insurance.claimants'), '获得赔付', await b.fig('insurance.payout'), '。');
  b.para('二是残疾人帮扶。投入', await b.fig('funds.disability'), projects.some((p) => p.category === 'disability') ? '，实施' : '', ...names('disability'), '。');
  b.para('三是教育保障。从协作资金中安排', await b.fig('edu.coop_spending'), projects.some((p) => p.category === 'education_training') ? '，实施' : '', ...names('education_training'), '。');

  b.heading(2, '（三）区域协作');
  b.heading(3, '1、引导企业落地');
  const enterprises = await rec('enterprise');
  for (const e of enterprises)
    b.para(`借助协作平台引导${String(e.name)}来县投资`, e.agreement ? `，签订《${String(e.agreement)}》` : '', '，计划投资', b.money('enterprise', e, 'planned_investment'),
      e.jobs_planned != null ? '，预计吸纳就业' : '', e.jobs_planned != null ? b.count('enterprise', e, 'jobs_planned', '人') : null,
      e.subsidy != null ? '，落实产业合作奖补资金' : '', b.money('enterprise', e, 'subsidy'), '。');
  b.para('上半年引导企业投资', await b.fig('enterprise.investment_h1'), '；全年引导落地东部企业', await b.fig('enterprise.count'), '，计划投资', await b.fig('enterprise.investment'), '。');
  b.heading(3, '2、共建产业园区');
  for (const p of await rec('industrial_park'))
    b.para(`${String(p.name)}总投资`, b.money('industrial_park', p, 'total_investment'), `，投入${year}年度协作资金`, b.money('industrial_park', p, 'coop_funds'),
      '，新建圈舍及配套区域', b.count('industrial_park', p, 'floor_area_m2', '平方米'), '，可养殖母猪', b.count('industrial_park', p, 'sows', '头'),
      '、仔猪', b.count('industrial_park', p, 'piglets', '头'), '、育肥猪', b.count('industrial_park', p, 'finishing_pigs', '头'),
      '，年出栏仔猪', b.count('industrial_park', p, 'annual_output', '头'), `；项目${categoryLabel(year, 'project_status', String(p.status), 'zh', county, store)}。`);
  const deals = await rec('deal');
  const parties = (d: LedgerRecord) => String(d.parties).replace(/、(?=[^、]*$)/, '与');
  const frameworks = deals.filter((d) => d.kind === 'framework');
  if (frameworks.length) b.para('此外，', ...J(frameworks.map((d) => [`${parties(d)}签订合作框架协议`]), '；', '；'), '，为后续招商引资、产品促销和企业升级打下基础。');
  b.heading(3, '3、投资合作与联农带农');
  b.para('依托“津陇共振兴”平台签约项目', await b.fig('deals.platform_count'), '，成交资金', await b.fig('deals.platform_amount'), '。');
  b.para(`${year}年实施的`, await b.fig('projects.planned'), '项目共带动农村人口', await b.fig('projects.rural_people'), '发展生产，其中脱贫人口', await b.fig('projects.poverty_alleviated'),
    '，为农村劳动力解决就业', await b.fig('projects.jobs'), '。');

  b.heading(2, '（四）促进乡村振兴');
  b.heading(3, '1、干部人才交流');
  const posts = (await rec('talent_exchange')).filter((t) => t.direction === 'east_to_west');
  const byRank = new Map<string, string[]>();
  for (const t of posts) byRank.set(String(t.rank ?? ''), [...(byRank.get(String(t.rank ?? '')) ?? []), String(t.post)]);
  const postParts = [...byRank].map(([rank, list]) => [list.length === 1
    ? `1名${rank}干部任${list[0]}` : `${list.length}名${rank}干部分别在${list.join('、')}任职`]);
  b.para(`${partnerShort ?? '东部协作方'}援派挂职党政干部`, await b.fig('talent.cadres_east_to_west'), '（含上一轮挂职干部', await b.fig('talent.cadres_previous_term'), '）',
    posts.length ? '，其中' : '', ...J(postParts, '，', '，'),
    '；东部累计援派专业技术人才', await b.fig('talent.professionals_east_to_west'), '。');
  b.para('“组团式”帮扶选派教育、医疗管理团队', await b.fig('talent.team_members'), '，其中', await b.fig('talent.team_leaders'), '担任学校、医院负责人或班子成员。');
  b.para('本县选派赴东部学习交流', await b.fig('talent.west_to_east_sent'), '，年度计划', await b.fig('talent.west_to_east_planned'), '。');
  b.heading(3, '2、协作资金');
  const catParts = await b.breakdownParts('funds.by_category', '，');
  b.para(`${partnerShort ?? '东部协作方'}援助财政资金`, await b.fig('funds.allocated'), '，实施项目', await b.fig('projects.planned'), catParts.length ? '。按用途分：' : '', ...catParts,
    '。其中安排科技创新项目资金', await b.fig('funds.science'), '，示范村振兴资金', await b.fig('funds.demo_village'), '。');
  b.para('截至目前已拨付', await b.fig('funds.disbursed'), '，拨付率', await b.fig('funds.disbursement_rate'), '；开工项目', await b.fig('projects.started'),
    '，开工率', await b.fig('projects.start_rate'), '；完工', await b.fig('projects.completed'), '，完工率', await b.fig('projects.completion_rate'), '。');
  const byCat = await b.ind('funds.by_category');
  if (byCat.breakdown?.length) {
    const ref = await b.refFor(byCat);
    b.blocks.push({
      kind: 'table', caption: `表1  ${year}年东西部协作资金安排`, columns: ['用途', '金额（万元）'], align: ['left', 'right'],
      rows: [...byCat.breakdown.map((e) => [[{ kind: 'text' as const, text: e.label }], [{ kind: 'figure' as const, text: e.display.replace(/万元$/, ''), ref }]]),
        [[{ kind: 'text', text: '合计' }], [{ kind: 'figure', text: byCat.value ?? '', ref }]]],
    });
  }
  b.heading(3, '3、社会帮扶');
  const donations = await rec('donation');
  b.para('动员', await b.fig('donation.social_orgs'), '社会组织和', await b.fig('donation.enterprises'), '企业参与帮扶，捐款捐物折合', await b.fig('donation.total'),
    donations.length ? '，主要捐赠见表2。' : '。');
  if (donations.length) {
    b.blocks.push({
      kind: 'table', caption: '表2  主要社会捐赠', columns: ['捐赠方', '受赠方', '内容', '价值'], align: ['left', 'left', 'left', 'right'],
      rows: donations.map((d) => [
        [{ kind: 'text', text: String(d.donor) + (d.via ? `（${String(d.via)}）` : '') }], [{ kind: 'text', text: String(d.recipient) }],
        [{ kind: 'text', text: `${categoryLabel(year, 'donation_form', String(d.form), 'zh', county, store)}：${String(d.items ?? '')}` }], [b.money('donation', d, 'value')!],
      ]),
    });
  }
  const intents = deals.filter((d) => d.kind === 'intent');
  if (intents.length) b.para('另有', ...J(intents.map((d) => [`${parties(d)}签订《${String(d.title)}》`]), '；', '；'), '。');
  b.heading(3, '4、示范村建设');
  const villages = await rec('demo_village');
  const vProjects = projects.filter((p) => p.demo_village === true);
  if (villages.length) {
    const programme = villages[0]!.programme ? `“${String(villages[0]!.programme)}”` : '乡村振兴';
    b.para(`${String(villages[0]!.designated_year ?? '')}年两地确定`, ...J(villages.map((v) => [String(v.name)])), `为${programme}示范村（共`, await b.fig('villages.count'),
      `）。${year}年安排示范村资金`, await b.fig('funds.demo_village'), vProjects.length ? '，实施' : '',
      ...J(vProjects.map((p) => [`${String(p.name)}（`, b.money('project', p, 'coop_funds')!, `，${categoryLabel(year, 'project_status', String(p.status), 'zh', county, store)}）`]), '和', '、'),
      '。', partnerShort ?? '东部协作方', '选派农村党务工作者', await b.fig('villages.workers'), '驻村开展对口帮扶。');
  }

  // 二、特色亮点: the stored narrative, then the figures behind it from the ledgers
  b.heading(1, '二、特色亮点');
  const highlights = narratives.filter((n) => n.section === 'highlights');
  const external = projects.filter((p) => p.other_funds != null && p.coop_funds == null);
  highlights.forEach((n, i) => {
    b.heading(2, `（${CN_NUM[i]}）${n.title ?? ''}`);
    b.para(n.body.replace(/\s*\n\s*/g, ''));
  });
  const tours = (await rec('visit')).filter((x) => x.direction === 'study_tour');
  const gifts = donations.filter((d) => typeof d.beneficiaries === 'number');
  if (external.length || tours.length || gifts.length) {
    b.heading(2, `（${CN_NUM[highlights.length]}）亮点工作数据`);
    for (const p of external) {
      const jobs = b.count('project', p, 'jobs', '个');
      const hh = b.count('project', p, 'households', '户');
      const ppl = b.count('project', p, 'rural_people', '名群众');
      b.para(`${String(p.name)}`, p.location ? `（${String(p.location)}）` : '', `：${String(p.other_source ?? '外部资金')}投入`, b.money('project', p, 'other_funds'),
        p.outputs ? `，${String(p.outputs)}` : '', jobs ? '，提供就业岗位' : '', jobs, hh && ppl ? '，带动' : '', hh && ppl ? hh : null, hh && ppl ? ppl : null, hh && ppl ? '受益' : '', '。');
    }
    if (external.length) b.para('智慧大棚务工群众人均月增收', await b.fig('highlight.greenhouse_income'), '。');
    for (const v of tours)
      b.para(`${dateSpan(String(v.start_date), v.end_date as string)}，${String(v.delegation)}赴${String(v.destination)}学习交流${v.purpose ? `，${String(v.purpose).replace(/；/g, '，')}` : ''}。`);
    for (const d of gifts)
      b.para(`${String(d.donor)}为`, b.count('donation', d, 'beneficiaries', '名'), `学生发放${String(d.items ?? '')}`, b.money('donation', d, 'value'), d.date ? `，${dateSpan(String(d.date))}前发放到位` : '', '。');
  }

  // 三、存在的问题, opened by the table of every target and how it stands
  b.heading(1, '三、存在的问题');
  const all = await engine.all();
  const targeted = all.filter((r) => r.target);
  if (targeted.length) {
    const STATUS = { met: '达到', missed: '未达到', no_data: '无法评价', no_target: '—' } as const;
    const rows: Inline[][][] = [];
    for (const r of targeted)
      rows.push([[{ kind: 'text', text: r.label.zh }], [{ kind: 'text', text: r.target!.display }],
        [r.display ? { kind: 'figure', text: r.display, ref: await b.refFor(r) } : { kind: 'text', text: '—' }], [{ kind: 'text', text: STATUS[r.status] }]]);
    b.para('对照省级下达的目标任务，自评情况见表3。');
    b.blocks.push({ kind: 'table', caption: '表3  目标任务完成情况', columns: ['指标', '目标', '完成', '结果'], align: ['left', 'left', 'right', 'center'], rows });
  }
  const missed = all.filter((r) => r.status === 'missed' && r.target);
  const notes = new Map(narratives.filter((n) => n.section === 'problem_note').map((n) => [n.title ?? '', n.body.replace(/\s*\n\s*/g, '')]));
  let k = 0;
  for (const r of missed) {
    b.heading(2, `（${CN_NUM[k++]}）${r.label.zh}未达到目标`);
    const detailId = engine.cat.byId.get(r.id)?.detail;
    const detail = detailId ? await b.breakdownParts(detailId) : [];
    b.para(`目标为${r.target!.display}`, detail.length ? '，其中' : '', ...detail, '，实际为', await b.fig(r.id), '。', notes.get(r.id) ?? '');
  }
  for (const n of narratives.filter((x) => x.section === 'problem')) {
    b.heading(2, `（${CN_NUM[k++]}）${n.title ?? ''}`);
    b.para(n.body.replace(/\s*\n\s*/g, ''));
  }
  const unknown = all.filter((r) => r.status === 'no_data' && r.target);
  if (unknown.length) b.para('以下目标因缺少数据暂无法评价：', ...J(unknown.map((r) => [`${r.label.zh}（${r.target!.display}）`])), '。');

  // 四、下年度计划
  b.heading(1, `四、${year + 1}年工作计划`);
  narratives.filter((n) => n.section === 'plan').forEach((n, i) => {
    b.heading(2, `（${CN_NUM[i]}）${n.title ?? ''}`);
    b.para(n.body.replace(/\s*\n\s*/g, ''));
  });

  return {
    title: `${name}东西部协作工作自评报告`, subtitle: `（${year}年度）`, issuer: meta?.issuer ?? name, date: meta?.report_date ?? `${year}-12-31`,
    generatedAt: opts.generatedAt ?? `${new Date().toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })}（北京时间）`, locale: 'zh-CN', blocks: b.blocks, provenance: b.provenance,
  };
}
