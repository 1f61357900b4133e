import { LEDGERS } from '../domain/ledgers/declarations.ts';
import type { Store } from '../store/db.ts';
import { LedgerRepo, toRow } from '../store/ledger-repo.ts';
import { insertLedgerStates, insertReported, insertReportMeta, orgUnitRow, partnersOf, reportedOf, reportMeta, yearsWithData } from '../store/year-repo.ts';
import { catalogueFor, type ElementDef } from './catalogue.ts';
import { configYear } from './config.ts';
import { conflict, invalid } from './errors.ts';
import { audit, declOf, now } from './ledgers.ts';
import { assertWrite, type Actor } from './scope.ts';

/** What opening a year carried over from the year before, per kind of data. */
export interface YearOpened {
  county: string;
  year: number;
  /** The earlier year things were carried over from; null when the county had no earlier year. */
  from: number | null;
  carried: { pairings: number; demoVillages: number; projects: number; cumulative: number; reportInfo: boolean };
}

/** An element the catalogue marks as a running total (the figure since the cooperation began), so it carries into the next year. */
export function isCumulative(e: ElementDef): boolean {
  return e.cumulative === true;
}

const carriedNote = (from: number, note: string | null): string =>
  `由${from}年结转，待核实 / carried over from ${from}, to be confirmed${note ? `；${note}` : ''}`;

/**
 * Opens an assessment year for a county. Carried over from the county's newest earlier year, as
 * editable drafts: the pairings (still in force: they have no end), the demonstration villages, the
 * projects not completed, the reported cumulative figures (marked as carried, to be confirmed) and the
 * report details (issuer, eastern partner); without an earlier year, the partner comes from the
 * cooperation pair in force. Every ledger of the new year starts as a draft whose completeness the county has yet to state.
 * Refuses a year before the assessment method began (ConfigMissing), an unknown county, and a year the
 * county already holds data for (Conflict). One transaction; every carried record is audited.
 */
export async function openYear(store: Store, actor: Actor, county: string, year: number): Promise<YearOpened> {
  if (!/^\d{6}$/.test(county)) throw invalid('请给出6位县级区划代码', 'give a 6-digit county code');
  configYear(year);
  assertWrite(actor, county);
  const unit = await orgUnitRow(store.db, county);
  if (!unit || unit.level !== 'county')
    throw invalid(`未知的县级区划代码 ${county}：请先用 xiezuo init --provinces ${county.slice(0, 2)} 载入区划`, `unknown county code ${county}: load the divisions first (xiezuo init --provinces ${county.slice(0, 2)})`);
  const t = now();
  return store.db.transaction().execute(async (tx) => {
    const years = await yearsWithData(tx, county);
    if (years.includes(year))
      throw conflict(`${unit.name}${year}年度已经开启，不能重复开启`, `${year} is already open for ${county}`);
    const from = years.find((y) => y < year) ?? null;
    const carried: YearOpened['carried'] = { pairings: 0, demoVillages: 0, projects: 0, cumulative: 0, reportInfo: false };
    if (from !== null) {
      const copy = async (kind: string, keep: (r: Record<string, unknown>) => boolean): Promise<number> => {
        const decl = declOf(kind);
        const src = new LedgerRepo(tx, decl);
        let n = 0;
        for (const rec of (await src.list(county, from)).rows) {
          if (!keep(rec)) continue;
          const row = toRow(decl, { ...rec, note: carriedNote(from, rec.note) }, () => { throw new Error('personal IDs are never carried over'); });
          const id = await src.insert(county, year, row, t);
          await audit(tx, actor, 'year.carry_over', kind, id, county, year, { from, id: rec.id }, await src.get(id));
          n++;
        }
        return n;
      };
      carried.pairings = await copy('pairing', () => true);
      carried.demoVillages = await copy('demo_village', () => true);
      carried.projects = await copy('project', (r) => r.status !== 'completed');
      let cumulative: string[] = [];
      try {
        cumulative = Object.values(catalogueFor(year).elements).filter(isCumulative).map((e) => e.id);
      } catch { /* a year whose catalogue cannot be read carries no figures; the year itself still opens */ }
      for (const r of await reportedOf(tx, county, from, cumulative)) {
        await insertReported(tx, { ...r, year, note: carriedNote(from, r.note), updated_at: t });
        carried.cumulative++;
      }
      if (carried.cumulative) await audit(tx, actor, 'year.carry_over', 'reported_value', null, county, year, { from }, { elements: cumulative, count: carried.cumulative });
    }
    const meta = from === null ? undefined : await reportMeta(tx, county, from);
    let partner = meta?.partner_code ?? null;
    if (!partner) {
      const pairs = await partnersOf(tx, county, year);
      if (pairs.length === 1) partner = pairs[0]!;
    }
    if (meta || partner) {
      // The report date is the year's end until the county states its own, as the report assumes without one.
      await insertReportMeta(tx, { county_code: county, year, issuer: meta?.issuer ?? unit.name, report_date: `${year}-12-31`, partner_code: partner });
      carried.reportInfo = true;
    }
    await insertLedgerStates(tx, county, year, LEDGERS.map((l) => l.kind), 'unknown', actor.id, t);
    const result: YearOpened = { county, year, from, carried };
    await audit(tx, actor, 'year.open', 'county_year', `${county}/${year}`, county, year, null, result);
    return result;
  });
}
