import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LEDGERS } from '../../domain/ledgers/declarations.ts';
import { ROLE_LABELS } from '../../services/accounts.ts';
import { categoriesFor } from '../../services/config.ts';
import { canRead } from '../../services/scope.ts';
import { STATUS_LABELS } from '../../services/workflow.ts';
import { syntheticDataset } from '../../services/dataset.ts';
import { countyYearsWithLedgerStates } from '../../store/ledger-state-repo.ts';
import { orgUnitNames, probeOrgUnits } from '../../store/orgunit-repo.ts';
import { countyYearsWithReportMeta } from '../../store/report-repo.ts';
import { Categories, Counties, Health, Meta, MyUnits } from '../../api/contract.ts';
import { route, type ServerDeps, yearParam } from '../http.ts';

export function metaRoutes(app: FastifyInstance, deps: ServerDeps): void {
  route(app, deps, {
    method: 'GET', url: '/api/health', tag: 'meta', access: 'public', summary: 'Liveness and database reachability',
    response: Health,
    handler: async () => {
      await probeOrgUnits(deps.store.db);
      return { ok: true, engine: deps.store.engine };
    },
  });

  route(app, deps, {
    method: 'GET', url: '/api/meta', tag: 'meta',
    summary: 'Ledger declarations (fields, labels, keys), role and workflow status labels; drives the forms and tables',
    response: Meta,
    handler: async () => ({
      ledgers: LEDGERS.map(({ check: _c, ...d }) => d),
      roles: ROLE_LABELS,
      statuses: STATUS_LABELS,
      synthetic: await syntheticDataset(deps.store),
    }),
  });

  route(app, deps, {
    method: 'GET', url: '/api/categories/:year', tag: 'meta', summary: 'Category lists in force for an assessment year (and a unit: its province, prefecture and county layers)',
    params: z.object({ year: yearParam }),
    query: z.object({ county: z.string().regex(/^\d{2}(\d{2}){0,2}$/, '区划代码应为2、4或6位数字 / division code must be 2, 4 or 6 digits').optional() }),
    response: Categories,
    handler: async ({ params, query }) => categoriesFor(params.year, query.county, deps.store),
  });

  route(app, deps, {
    method: 'GET', url: '/api/units/mine', tag: 'meta',
    summary: 'The caller\'s own org units with their names (for choosing where a target is set); administrators get the units above and at the given county',
    query: z.object({ county: z.string().regex(/^\d{6}$/, '县级区划代码应为6位数字 / county code must be 6 digits').optional() }),
    response: MyUnits,
    handler: async ({ actor, query }) => {
      const codes = actor.role === 'admin'
        ? (query.county ? [query.county.slice(0, 2), query.county.slice(0, 4), query.county] : [])
        : [...actor.units];
      if (!codes.length) return [];
      const rows = await orgUnitNames(deps.store.db, codes);
      const nameOf = new Map(rows.map((r) => [r.code, r.name]));
      return codes.map((code) => ({ code, name: nameOf.get(code) ?? code }));
    },
  });

  route(app, deps, {
    method: 'GET', url: '/api/counties', tag: 'meta', summary: 'Counties the caller may read, with the years that hold data',
    response: Counties,
    handler: async ({ actor }) => {
      const db = deps.store.db;
      const rows = [
        ...(await countyYearsWithReportMeta(db)),
        ...(await countyYearsWithLedgerStates(db)),
      ];
      // A county user whose county holds no data yet still gets it, with the current year, to start filling in.
      if (actor.role === 'county_clerk' || actor.role === 'county_admin')
        for (const u of actor.units) if (u.length === 6 && !rows.some((r) => r.county_code === u)) rows.push({ county_code: u, year: new Date().getFullYear() });
      const years = new Map<string, Set<number>>();
      for (const r of rows) {
        if (!(await canRead(deps.store, actor, r.county_code))) continue;
        (years.get(r.county_code) ?? years.set(r.county_code, new Set()).get(r.county_code)!).add(Number(r.year));
      }
      const codes = [...years.keys()].sort();
      const names = codes.length ? await orgUnitNames(db, codes) : [];
      const nameOf = new Map(names.map((n) => [n.code, n.name]));
      return codes.map((code) => ({ code, name: nameOf.get(code) ?? code, years: [...years.get(code)!].sort((a, b) => b - a) }));
    },
  });
}
