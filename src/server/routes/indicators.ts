import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type Catalogue, catalogueFor } from '../../services/catalogue.ts';
import { type IndicatorResult, type RuleResult, setClaim, setTarget } from '../../services/indicators.ts';
import { indicatorsJson } from '../../services/indicator-view.ts';
import { indicatorsAndRules, periodOf, periodView } from '../../services/indicator-sets.ts';
import { isWholeYear, type Period } from '../../domain/period.ts';
import { orgUnit } from '../../services/orgunits.ts';
import { OverviewService } from '../../services/overview.ts';
import { ledgerStates } from '../../services/workflow.ts';
import { Dashboard, IndicatorRanking, IndicatorsAndRules, Overview } from '../../api/contract.ts';
import { countyParam, JsonText, route, type ServerDeps, unitParam, yearParam } from '../http.ts';

/**
 * The indicators and rules of a cached result as JSON text (`"indicators":[…],"rules":[…]`), made once
 * per result object: the result is reused until the county-year's data changes (indicatorsAndRules),
 * and so is its text, so a repeated dashboard request serialises only its small parts.
 */
const serialised = new WeakMap<object, string>();
/** Whole dashboard answers, kept with the result they show. */
const dashboardTexts = new WeakMap<object, string>();
function indicatorsText(r: { indicators: IndicatorResult[]; rules: RuleResult[] }, cat: Catalogue): string {
  let text = serialised.get(r);
  if (text === undefined) {
    text = indicatorsJson(r, cat);
    serialised.set(r, text);
  }
  return text;
}

// One ranking service (worker thread and cache) per store.
const services = new WeakMap<ServerDeps['store'], OverviewService>();
function overviews(deps: ServerDeps): OverviewService {
  if (!services.has(deps.store)) services.set(deps.store, new OverviewService(deps.store));
  return services.get(deps.store)!;
}

/** What a listening server of the store computes ahead (the ranking, province views), once computed; undefined before it listens. */
export function viewsComputedAhead(store: ServerDeps['store']): ReturnType<OverviewService['warmUp']> | undefined {
  return services.get(store)?.ahead?.catch(() => ({ year: null, ranking: false, units: [] }));
}

/** The period of a request: `period=year|Q1…Q4|M01…M12`, or `to=YYYY-MM-DD` (a day of the year). */
const periodQuery = z.object({ period: z.string().max(8).optional(), to: z.string().max(10).optional() });

/** `"period":{…},` for a figure to date; nothing for the whole year, whose answer is unchanged. */
const periodText = (p: Period, year: number) => (isWholeYear(p) ? '' : `"period":${JSON.stringify(periodView(p, year))},`);

export function indicatorRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.addHook('onClose', async () => { await services.get(deps.store)?.close(); services.delete(deps.store); });
  // Once the server listens, the national ranking and the largest provinces' views are computed
  // ahead in the view thread (not awaited: requests are served meanwhile, and one for a view being
  // computed joins it).
  app.addHook('onListen', async () => {
    void overviews(deps).warmUp().then(
      (r) => { if (r.ranking || r.units.length) app.log.info({ year: r.year, ranking: r.ranking, provinces: r.units }, 'views computed ahead'); },
      (e: unknown) => app.log.warn({ err: e }, 'computing views ahead failed'));
  });
  route(app, deps, {
    method: 'GET', url: '/api/indicators/:county/:year', tag: 'indicators',
    summary: 'Every indicator of a county, prefecture, province or the nation (`national`: every county added up) for a year (or to the end of a quarter, a month or a day: ?period=Q2, M08, or to=YYYY-MM-DD) with its target and status, and the validation rules',
    params: z.object({ county: z.union([z.literal('national'), unitParam]), year: yearParam }),
    query: periodQuery,
    response: IndicatorsAndRules,
    handler: async ({ actor, params, query }) => {
      const period = periodOf(query.period, query.to, params.year);
      const head = periodText(period, params.year);
      // A roll-up adds up hundreds of counties: computed in the view thread, kept until something under it changes.
      if (params.county.length < 6 || params.county === 'national') {
        const unit = params.county === 'national' ? '' : params.county;
        return new JsonText(`{${head}${await overviews(deps).unitView(actor, { unit }, params.year, period)}}`);
      }
      const r = await indicatorsAndRules(deps.store, actor, params.county, params.year, period);
      return new JsonText(`{${head}${indicatorsText(r, catalogueFor(params.year, params.county, deps.store))}}`);
    },
  });

  route(app, deps, {
    method: 'GET', url: '/api/partners/:east/indicators/:year', tag: 'indicators',
    summary: "An eastern unit's indicators over the western counties it is paired with in the year (a district, or every district under a city or province code), added up as a prefecture's are; the same periods as a county's",
    params: z.object({ east: z.string().regex(/^\d{2,6}$/, '东部单位代码应为2–6位数字 / an eastern unit code has 2–6 digits'), year: yearParam }),
    query: periodQuery,
    response: IndicatorsAndRules,
    handler: async ({ actor, params, query }) => {
      const period = periodOf(query.period, query.to, params.year);
      return new JsonText(`{${periodText(period, params.year)}${await overviews(deps).unitView(actor, { east: params.east }, params.year, period)}}`);
    },
  });

  route(app, deps, {
    method: 'PUT', url: '/api/targets/:org/:year/:indicator', tag: 'indicators',
    summary: 'Set an indicator target for an org unit (province and prefecture users); value in display units (万元 for money)',
    params: z.object({ org: z.string().regex(/^\d{2,12}$/), year: yearParam, indicator: z.string().max(100) }),
    body: z.object({
      op: z.enum(['>=', '>', '<=', '<', '=', 'between']), value: z.string().max(40).nullable(),
      valueMax: z.string().max(40).nullable().optional(), note: z.string().max(1000).nullable().optional(),
    }),
    handler: async ({ actor, params, body }) => setTarget(deps.store, actor, params.org, params.year, params.indicator, body),
  });

  route(app, deps, {
    method: 'PUT', url: '/api/claims/:county/:year/:indicator', tag: 'indicators',
    summary: "A county's own statement about a target it was set (met, exceeded, missed), with its note; null clears it",
    params: z.object({ county: countyParam, year: yearParam, indicator: z.string().max(100) }),
    body: z.object({ status: z.enum(['met', 'exceeded', 'missed']).nullable(), note: z.string().max(1000).nullable().optional() }),
    handler: async ({ actor, params, body }) => setClaim(deps.store, actor, params.county, params.year, params.indicator, body.status, body.note ?? null),
  });

  route(app, deps, {
    method: 'GET', url: '/api/dashboard/:county/:year', tag: 'dashboard',
    summary: 'The year at a glance: indicators with targets, rule results and ledger states of a county-year (or of a period to date: ?period=Q2, M08, or to=YYYY-MM-DD)',
    params: z.object({ county: countyParam, year: yearParam }),
    query: periodQuery,
    response: Dashboard,
    handler: async ({ actor, params, query }) => {
      const period = periodOf(query.period, query.to, params.year);
      const both = await indicatorsAndRules(deps.store, actor, params.county, params.year, period);
      // The ledger states are part of the data version the result is kept under, so its whole answer can be kept with it.
      let text = dashboardTexts.get(both);
      if (text === undefined) {
        const unit = await orgUnit(deps.store, params.county);
        const states = (await ledgerStates(deps.store, actor, params.county, params.year)).map(({ ledger, label, status }) => ({ ledger, label, status }));
        text = `{"county":${JSON.stringify({ code: params.county, name: unit?.name ?? params.county })},"year":${params.year},${periodText(period, params.year)}${
          indicatorsText(both, catalogueFor(params.year, params.county, deps.store))},"states":${JSON.stringify(states)}}`;
        dashboardTexts.set(both, text);
      }
      return new JsonText(text);
    },
  });

  route(app, deps, {
    method: 'GET', url: '/api/overview/:year', tag: 'dashboard',
    summary: 'Counties the caller may read that hold data for the year, ranked by share of targets met (for a period to date, ?period=Q2, M08 or to=YYYY-MM-DD: by share of targets on pace)',
    params: z.object({ year: yearParam }),
    query: periodQuery,
    response: Overview,
    handler: async ({ actor, params, query }) => (await overviews(deps).get(actor, params.year, periodOf(query.period, query.to, params.year))).rows,
  });

  route(app, deps, {
    method: 'GET', url: '/api/rankings/:year/:indicator', tag: 'dashboard',
    summary: 'Counties the caller may read (within ?unit=62 or 6230 if given) ranked by one indicator, highest first (?order=asc for lowest first), for the year or a period to date; counties without a figure come last',
    params: z.object({ year: yearParam, indicator: z.string().min(1).max(100) }),
    query: periodQuery.extend({
      unit: z.string().regex(/^(\d{2}|\d{4})?$/, '地区代码应为2位（省）或4位（市州）数字 / a unit code has 2 (province) or 4 (prefecture) digits').optional(),
      order: z.enum(['desc', 'asc']).optional(),
    }),
    response: IndicatorRanking,
    handler: async ({ actor, params, query }) => {
      const period = periodOf(query.period, query.to, params.year);
      const r = await overviews(deps).ranking(actor, params.year, params.indicator, { unit: query.unit ?? '', ascending: query.order === 'asc', period });
      const def = catalogueFor(params.year, query.unit || undefined, deps.store).byId.get(params.indicator)!;
      const view = periodView(period, params.year);
      return { indicator: { id: def.id, label: def.label, unit: def.unit }, order: r.ascending ? 'asc' as const : 'desc' as const, unit: r.unit, ...(view && { period: view }), rows: r.rows };
    },
  });
}
