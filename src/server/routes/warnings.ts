import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { acknowledgeWarning, computeWarnings, draftProblems } from '../../services/warnings.ts';
import { ProblemDrafts, WarningAck, WarningsReport } from '../../api/contract.ts';
import type { ReportPool } from '../../services/report-threads.ts';
import { countyParam, JsonText, route, type ServerDeps, yearParam } from '../http.ts';

export function warningRoutes(app: FastifyInstance, deps: ServerDeps, threads: ReportPool): void {
  route(app, deps, {
    method: 'GET', url: '/api/warnings/:unit', tag: 'warnings',
    summary: 'Early warnings as of a day for a county, or for the counties of a prefecture or province the caller may read, ranked by how far behind',
    params: z.object({ unit: z.string().regex(/^\d{2}(\d{2}(\d{2})?)?$/) }),
    query: z.object({ asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }),
    response: WarningsReport,
    handler: async ({ actor, params, query }) => {
      if (params.unit.length === 6) return computeWarnings(deps.store, actor, params.unit, query.asOf);
      // A prefecture's or province's warnings read every county under it: worked out in a report thread.
      const text = await threads.render(deps.store, { actor, unit: params.unit, year: Number(query.asOf.slice(0, 4)), kind: 'warnings', asOf: query.asOf });
      return new JsonText(text.toString('utf8'));
    },
  });

  route(app, deps, {
    method: 'PUT', url: '/api/warnings/:county/:year/ack', tag: 'warnings',
    summary: "Acknowledge a warning with the county's note (county users); the warning stays visible with the note",
    params: z.object({ county: countyParam, year: yearParam }),
    body: z.object({ key: z.string().min(1).max(200), note: z.string().max(2000), version: z.number().int().optional() }),
    response: WarningAck,
    handler: async ({ actor, params, body }) => acknowledgeWarning(deps.store, actor, params.county, params.year, body.key, body.note, body.version),
  });

  route(app, deps, {
    method: 'POST', url: '/api/warnings/:county/:year/drafts', tag: 'warnings',
    summary: "Write the year's missed targets and late projects as draft 存在的问题 paragraphs of the county's narrative",
    params: z.object({ county: countyParam, year: yearParam }),
    body: z.object({ replace: z.boolean().optional() }),
    response: ProblemDrafts,
    handler: async ({ actor, params, body }) => draftProblems(deps.store, actor, params.county, params.year, { replace: body.replace }),
  });
}
