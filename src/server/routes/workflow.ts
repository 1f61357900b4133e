import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listAudit } from '../../services/audit.ts';
import { ledgerStates, setCompleteness, transition, TRANSITIONS, type Transition } from '../../services/workflow.ts';
import { countyParam, route, type ServerDeps, yearParam } from '../http.ts';
import { displayNames } from '../names.ts';

const Label = z.object({ zh: z.string(), en: z.string() });
const StateOut = z.object({
  ledger: z.string(), label: Label, status: z.enum(['draft', 'submitted', 'approved', 'returned']), completeness: z.string(),
  comment: z.string().nullable(), updatedBy: z.string().nullable(), updatedByName: z.string().nullable(), updatedAt: z.string().nullable(), allowed: z.array(z.string()),
});
const AuditOut = z.object({
  id: z.number(), at: z.string(), actor: z.string(), actorName: z.string().nullable(), action: z.string(), entity: z.string(), entityId: z.string().nullable(),
  county: z.string().nullable(), year: z.number().nullable(), before: z.unknown(), after: z.unknown(),
});

export function workflowRoutes(app: FastifyInstance, deps: ServerDeps): void {
  route(app, deps, {
    method: 'GET', url: '/api/workflow/:county/:year', tag: 'workflow',
    summary: 'Fill-in/approval state of every ledger of a county-year, with the steps the caller may take',
    params: z.object({ county: countyParam, year: yearParam }), response: z.array(StateOut),
    handler: async ({ actor, params }) => {
      const states = await ledgerStates(deps.store, actor, params.county, params.year);
      const names = await displayNames(deps.store, states.map((s) => s.updatedBy));
      return states.map((s) => ({ ...s, updatedByName: s.updatedBy ? names.get(s.updatedBy) ?? null : null }));
    },
  });

  route(app, deps, {
    method: 'POST', url: '/api/workflow/:county/:year/:ledger/:step', tag: 'workflow',
    summary: 'Move a ledger: submit (clerk), approve / return with comment / reopen (reviewer)',
    params: z.object({ county: countyParam, year: yearParam, ledger: z.string().regex(/^[a-z_]{2,40}$/), step: z.enum(TRANSITIONS as [Transition, ...Transition[]]) }),
    body: z.object({ comment: z.string().max(2000).nullable().optional() }), response: StateOut,
    handler: async ({ actor, params, body }) => {
      const s = await transition(deps.store, actor, params.county, params.year, params.ledger, params.step, body.comment);
      return { ...s, updatedByName: s.updatedBy ? (await displayNames(deps.store, [s.updatedBy])).get(s.updatedBy) ?? null : null };
    },
  });

  route(app, deps, {
    method: 'PUT', url: '/api/workflow/:county/:year/:ledger/completeness', tag: 'workflow',
    summary: "State whether a ledger holds every record (complete) or only some (partial); never changes its workflow status",
    params: z.object({ county: countyParam, year: yearParam, ledger: z.string().regex(/^[a-z_]{2,40}$/) }),
    body: z.object({ completeness: z.enum(['complete', 'partial']) }), response: StateOut,
    handler: async ({ actor, params, body }) => {
      const s = await setCompleteness(deps.store, actor, params.county, params.year, params.ledger, body.completeness);
      return { ...s, updatedByName: s.updatedBy ? (await displayNames(deps.store, [s.updatedBy])).get(s.updatedBy) ?? null : null };
    },
  });

  route(app, deps, {
    method: 'GET', url: '/api/audit', tag: 'audit',
    summary: 'Audit log, newest first; everyone but administrators must name a county they may read',
    query: z.object({
      county: countyParam.optional(), year: yearParam.optional(), actor: z.string().max(100).optional(),
      entity: z.string().max(60).optional(), action: z.string().max(60).optional(),
      offset: z.coerce.number().int().min(0).optional(), limit: z.coerce.number().int().min(1).max(500).optional(),
    }),
    response: z.object({ rows: z.array(AuditOut), total: z.number() }),
    handler: async ({ actor, query }) => {
      const r = await listAudit(deps.store, actor, query);
      const names = await displayNames(deps.store, r.rows.map((x) => x.actor));
      return { total: r.total, rows: r.rows.map((x) => ({ ...x, actorName: names.get(x.actor) ?? null })) };
    },
  });
}
