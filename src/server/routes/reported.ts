import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { catalogueFor } from '../../services/catalogue.ts';
import { categoriesFor } from '../../services/config.ts';
import { computeIndicators } from '../../services/indicators.ts';
import { deleteNarrative } from '../../services/narrative-admin.ts';
import { deleteDatedReported, deleteReported, listDatedReported, listNarratives, listReported, NARRATIVE_SECTIONS, type NarrativeSection, type ReportedView, setNarrative, setReported } from '../../services/reported.ts';
import { Narrative, NarrativeParagraph, ReportedList, ReportedValue } from '../../api/contract.ts';
import { countyParam, idParam, route, type ServerDeps, yearParam } from '../http.ts';

const dateBody = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期应为 YYYY-MM-DD / the date must read YYYY-MM-DD');
const elementParam = z.string().regex(/^[a-z0-9_.]{2,80}$/, '上报项编号有误 / malformed element id');
const versionQuery = z.object({ version: z.coerce.number().int().positive() });

/**
 * A reported value as answered. The service types its qualifier as any string; the values it stores are
 * always one of the contract's, which the response check holds it to under test.
 */
const reportedView = (r: ReportedView): ReportedValue => ({ ...r, qual: r.qual as ReportedValue['qual'] });

type NarrativeRow = Awaited<ReturnType<typeof listNarratives>>[number];
const narrativeView = (n: NarrativeRow): NarrativeParagraph => ({
  id: Number(n.id), section: n.section as NarrativeSection, seq: Number(n.seq), title: n.title, body: n.body,
  note: n.note, version: Number(n.version), updatedAt: n.updated_at,
});

/** Reported values (aggregates without records) and the report's narrative, per county-year. */
export function reportedRoutes(app: FastifyInstance, deps: ServerDeps): void {
  route(app, deps, {
    method: 'GET', url: '/api/reported/:county/:year', tag: 'reported',
    summary: 'Reported values of a county-year as printed (rows: the year\'s figures; dated: figures as of a day), with the elements that may be reported and their breakdown lists',
    params: z.object({ county: countyParam, year: yearParam }),
    response: ReportedList,
    handler: async ({ actor, params }) => {
      const rows = await listReported(deps.store, actor, params.county, params.year);
      const dated = await listDatedReported(deps.store, actor, params.county, params.year);
      const cat = catalogueFor(params.year, params.county, deps.store);
      const lists = categoriesFor(params.year, params.county, deps.store);
      const elements = Object.values(cat.elements).filter((e) => !e.retired).map((e) => ({
        id: e.id, label: e.label, unit: e.unit, unitLabel: cat.units[e.unit], dims: e.dims ? lists[e.dims] ?? [] : null,
      }));
      return { rows: rows.map(reportedView), dated: dated.map(reportedView), elements };
    },
  });

  route(app, deps, {
    method: 'PUT', url: '/api/reported/:county/:year/:element', tag: 'reported',
    summary: 'Set one reported value as people write it, in the element\'s display unit (万元 for money): "4562.143", "约12", "40余", "1.2万-1.5万"; with asOf, the figure as of that day',
    params: z.object({ county: countyParam, year: yearParam, element: elementParam }),
    body: z.object({
      dim: z.string().max(60).optional(), text: z.string().trim().min(1, '请填写数值 / enter a figure').max(60),
      note: z.string().max(1000).nullable().optional(), version: z.number().int().positive().optional(),
      asOf: dateBody.optional(),
    }),
    response: ReportedValue,
    handler: async ({ actor, params, body }) => reportedView(await setReported(deps.store, actor, params.county, params.year,
      {
        element: params.element, text: body.text, ...(body.dim ? { dim: body.dim } : {}), ...(body.note !== undefined ? { note: body.note } : {}),
        ...(body.asOf ? { asOf: body.asOf } : {}),
      }, body.version)),
  });

  route(app, deps, {
    method: 'DELETE', url: '/api/reported/dated/:id', tag: 'reported', summary: 'Remove a figure stated as of a day; version is the one last read',
    params: z.object({ id: idParam }), query: versionQuery,
    handler: async ({ actor, params, query }) => { await deleteDatedReported(deps.store, actor, params.id, query.version); },
  });

  route(app, deps, {
    method: 'DELETE', url: '/api/reported/:id', tag: 'reported', summary: 'Remove a reported value; version is the one last read',
    params: z.object({ id: idParam }), query: versionQuery,
    handler: async ({ actor, params, query }) => { await deleteReported(deps.store, actor, params.id, query.version); },
  });

  route(app, deps, {
    method: 'GET', url: '/api/narrative/:county/:year', tag: 'reported',
    summary: 'Narrative paragraphs of the report by section, with the indicators that have targets (problem notes explain one of them)',
    params: z.object({ county: countyParam, year: yearParam }),
    response: Narrative,
    handler: async ({ actor, params }) => {
      const rows = (await listNarratives(deps.store, actor, params.county, params.year)).map(narrativeView);
      const indicators = (await computeIndicators(deps.store, actor, params.county, params.year))
        .filter((r) => r.target).map((r) => ({ id: r.id, label: r.label, status: r.status, display: r.display, target: r.target!.display }));
      return { rows, indicators };
    },
  });

  route(app, deps, {
    method: 'PUT', url: '/api/narrative/:county/:year/:section/:seq', tag: 'reported',
    summary: 'Create or replace one narrative paragraph; a problem_note is titled with the id of the indicator it explains',
    params: z.object({ county: countyParam, year: yearParam, section: z.enum(NARRATIVE_SECTIONS), seq: z.coerce.number().int().min(1).max(999) }),
    body: z.object({
      title: z.string().trim().max(200).nullable().optional(), body: z.string().max(20000),
      note: z.string().max(1000).nullable().optional(), version: z.number().int().positive().optional(),
    }),
    response: NarrativeParagraph,
    handler: async ({ actor, params, body }) => {
      await setNarrative(deps.store, actor, params.county, params.year,
        { section: params.section, seq: params.seq, title: body.title || null, body: body.body, note: body.note ?? null }, body.version);
      const row = (await listNarratives(deps.store, actor, params.county, params.year)).find((n) => n.section === params.section && Number(n.seq) === params.seq);
      return narrativeView(row!);
    },
  });

  route(app, deps, {
    method: 'DELETE', url: '/api/narrative/:id', tag: 'reported', summary: 'Remove a narrative paragraph; version is the one last read',
    params: z.object({ id: idParam }), query: versionQuery,
    handler: async ({ actor, params, query }) => { await deleteNarrative(deps.store, actor, params.id, query.version); },
  });
}
