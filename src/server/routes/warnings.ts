import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { acknowledgeWarning, computeWarnings, draftProblems } from '../../services/warnings.ts';
import { countyParam, route, type ServerDeps, yearParam } from '../http.ts';

const Label = z.object({ zh: z.string(), en: z.string() });
const Pace = z.object({
  indicator: z.string(), label: Label, target: z.object({ op: z.string(), display: z.string(), displayEn: z.string(), orgCode: z.string() }),
  yearStatus: z.string(), method: z.string(), methodText: Label, toDate: z.string().nullable(), toDateEn: z.string().nullable(),
  projection: z.string().nullable(), projectionEn: z.string().nullable(), reachDate: z.string().nullable(), reached: z.boolean(),
  gap: z.string().nullable(), gapEn: z.string().nullable(), gapShare: z.number().nullable(), onTrack: z.boolean().nullable(), undatedRecords: z.number(),
});
const Warning = z.object({
  key: z.string(), rule: z.string(), kind: z.string(), severity: z.enum(['high', 'medium', 'low']), county: z.string(), indicator: z.string().optional(),
  title: Label, detail: Label,
  records: z.array(z.object({ ledger: z.string(), ledgerLabel: Label, id: z.number(), title: z.string(), date: z.string().nullable() })),
  ack: z.object({ note: z.string(), by: z.string(), at: z.string(), version: z.number() }).optional(),
});
const Report = z.object({
  unit: z.string(), unitName: z.string(), year: z.number(), asOf: z.string(), rules: z.array(z.string()),
  counties: z.array(z.object({ code: z.string(), name: z.string(), pace: z.array(Pace), warnings: z.array(Warning), behind: z.number(), rank: z.number() })),
});

export function warningRoutes(app: FastifyInstance, deps: ServerDeps): void {
  route(app, deps, {
    method: 'GET', url: '/api/warnings/:unit', tag: 'warnings',
    summary: 'Early warnings as of a day for a county, or for the counties of a prefecture or province the caller may read, ranked by how far behind',
    params: z.object({ unit: z.string().regex(/^\d{2}(\d{2}(\d{2})?)?$/) }),
    query: z.object({ asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }),
    response: Report,
    handler: async ({ actor, params, query }) => computeWarnings(deps.store, actor, params.unit, query.asOf),
  });

  route(app, deps, {
    method: 'PUT', url: '/api/warnings/:county/:year/ack', tag: 'warnings',
    summary: "Acknowledge a warning with the county's note (county users); the warning stays visible with the note",
    params: z.object({ county: countyParam, year: yearParam }),
    body: z.object({ key: z.string().min(1).max(200), note: z.string().max(2000), version: z.number().int().optional() }),
    response: z.object({ version: z.number() }),
    handler: async ({ actor, params, body }) => acknowledgeWarning(deps.store, actor, params.county, params.year, body.key, body.note, body.version),
  });

  route(app, deps, {
    method: 'POST', url: '/api/warnings/:county/:year/drafts', tag: 'warnings',
    summary: "Write the year's missed targets and late projects as draft 存在的问题 paragraphs of the county's narrative",
    params: z.object({ county: countyParam, year: yearParam }),
    body: z.object({ replace: z.boolean().optional() }),
    response: z.array(z.object({ seq: z.number(), title: z.string(), body: z.string() })),
    handler: async ({ actor, params, body }) => draftProblems(deps.store, actor, params.county, params.year, { replace: body.replace }),
  });
}
