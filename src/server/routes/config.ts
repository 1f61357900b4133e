import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { setCategories, setOwnElements, setReportTemplate, setRounding, showConfig, showReportTemplate } from '../../services/config-admin.ts';
import { openYear } from '../../services/years.ts';
import { ConfigView, OpenedYear, ReportTemplateView } from '../../api/contract.ts';
import { countyParam, route, type ServerDeps, yearParam } from '../http.ts';

const unitParam = z.string().regex(/^(national|\d{2}|\d{4}|\d{6})$/, '单位应为2位省、4位市州、6位县级区划代码或 national / unit must be a 2-, 4- or 6-digit division code or national')
  .transform((u) => (u === 'national' ? '' : u));
const Item = z.object({
  value: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, '值应为小写字母开头的字母、数字或下划线 / value must be lower-case letters, digits or _'),
  zh: z.string().trim().min(1, '须有中文名称 / a Chinese label is required').max(100),
  en: z.string().trim().min(1, '须有英文名称 / an English label is required').max(200),
  retired: z.boolean().optional(),
});
const Rule = z.object({ mode: z.enum(['half_up', 'truncate']), decimals: z.number().int().min(0).max(6) });
const OwnElementIn = z.object({
  id: z.string().regex(/^own\.[a-z][a-z0-9_]{0,39}$/, '编号应为 own. 加小写字母开头的字母、数字或下划线 / the id must be own. followed by a lower-case letter, then letters, digits or _').optional(),
  zh: z.string().trim().min(1, '须有中文名称 / a Chinese name is required').max(60),
  en: z.string().trim().min(1, '须有英文名称 / an English name is required').max(120),
  unit: z.string().max(40),
  unitWord: z.object({ zh: z.string().trim().max(6), en: z.string().trim().max(30) }).optional(),
  section: z.string().max(40),
  retired: z.boolean().optional(),
});

/** Configuration per year and unit (category lists, rounding policy) and the lifecycle of a county's years. */
export function configRoutes(app: FastifyInstance, deps: ServerDeps): void {
  route(app, deps, {
    method: 'GET', url: '/api/config/:year/:unit', tag: 'config',
    summary: 'Category lists and rounding policy in force for a unit (national, province, prefecture, county) and year, with where each list comes from',
    params: z.object({ year: yearParam, unit: unitParam }), response: ConfigView,
    handler: async ({ params }) => showConfig(deps.store, params.year, params.unit),
  });

  route(app, deps, {
    method: 'PUT', url: '/api/config/:year/:unit/categories/:list', tag: 'config',
    summary: 'Replace a category list for a unit from this year on (province users for units under theirs, administrators anywhere); values in use cannot be deleted, only retired. Audited',
    params: z.object({ year: yearParam, unit: unitParam, list: z.string().regex(/^[a-z_]{2,40}$/) }),
    body: z.union([
      z.object({ items: z.array(Item).min(1, '列表不能为空 / the list cannot be empty').max(200) }),
      z.object({ inherit: z.literal(true) }),
    ]), response: ConfigView,
    handler: async ({ actor, params, body }) => setCategories(deps.store, actor, {
      year: params.year, unit: params.unit, list: params.list, ...('inherit' in body ? { items: [], inherit: true } : { items: body.items }),
    }),
  });

  route(app, deps, {
    method: 'PUT', url: '/api/config/:year/:unit/elements', tag: 'config',
    summary: "Replace a unit's own elements from this year on: figures its reports state that the catalogue has no element for, each with names, unit and report section; elements holding values can only be retired. Audited",
    params: z.object({ year: yearParam, unit: unitParam }),
    body: z.object({ elements: z.array(OwnElementIn).max(300) }), response: ConfigView,
    handler: async ({ actor, params, body }) => setOwnElements(deps.store, actor, { year: params.year, unit: params.unit, elements: body.elements }),
  });

  route(app, deps, {
    method: 'GET', url: '/api/config/:year/:unit/report', tag: 'config',
    summary: 'The report template in force for a unit and year (YAML), with where it comes from (stored for a unit, or a shipped file)',
    params: z.object({ year: yearParam, unit: unitParam }), response: ReportTemplateView,
    handler: async ({ params }) => showReportTemplate(deps.store, params.year, params.unit),
  });

  route(app, deps, {
    method: 'PUT', url: '/api/config/:year/:unit/report', tag: 'config',
    summary: "Store a report template (YAML) for a unit from this year on, checked against the catalogue and ledgers, or inherit the unit above's. Audited",
    params: z.object({ year: yearParam, unit: unitParam }),
    body: z.union([z.object({ yaml: z.string().min(1).max(200_000) }), z.object({ inherit: z.literal(true) })]), response: ReportTemplateView,
    handler: async ({ actor, params, body }) => setReportTemplate(deps.store, actor, { year: params.year, unit: params.unit, ...body }),
  });

  route(app, deps, {
    method: 'PUT', url: '/api/config/:year/:unit/rounding', tag: 'config',
    summary: 'Set the rounding policy of a unit from this year on: rates half-up or truncated at N decimals (0 = whole percent), per-indicator exceptions, or inherit. Audited',
    params: z.object({ year: yearParam, unit: unitParam }),
    body: z.object({ rates: Rule.optional(), indicators: z.record(z.string().regex(/^[A-Za-z_][\w.]*$/), Rule).optional(), inherit: z.boolean().optional() }),
    response: ConfigView,
    handler: async ({ actor, params, body }) => setRounding(deps.store, actor, { year: params.year, unit: params.unit, ...body }),
  });

  route(app, deps, {
    method: 'POST', url: '/api/years/:county/:year/open', tag: 'config',
    summary: 'Open an assessment year for a county, carrying over pairings, demonstration villages, unfinished projects, cumulative figures and report details as drafts. Audited',
    params: z.object({ county: countyParam, year: yearParam }),
    response: OpenedYear,
    handler: async ({ actor, params }) => openYear(deps.store, actor, params.county, params.year),
  });
}
