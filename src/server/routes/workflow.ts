import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listAudit } from '../../services/audit.ts';
import { ledgerStates, setCompleteness, transition, TRANSITIONS, type Transition } from '../../services/workflow.ts';
import { AuditList, LedgerState } from '../../api/contract.ts';
import { countyParam, route, type ServerDeps, yearParam } from '../http.ts';
import { displayNames } from '../names.ts';

export function workflowRoutes(app: FastifyInstance, deps: ServerDeps): void {
  route(app, deps, {
    method: 'GET', url: '/api/workflow/:county/:year', tag: 'workflow',
    summary: 'Fill-in/approval state of every ledger of a county-year, with the steps the caller may take',
    params: z.object({ county: countyParam, year: yearParam }), response: z.array(LedgerState),
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
    body: z.object({ comment: z.string().max(2000).nullable().optional() }), response: LedgerState,
    handler: async ({ actor, params, body }) => {
      const s = await transition(deps.store, actor, params.county, params.year, params.ledger, params.step, body.comment);
      return { ...s, updatedByName: s.updatedBy ? (await displayNames(deps.store, [s.updatedBy])).get(s.updatedBy) ?? null : null };
    },
  });

  route(app, deps, {
    method: 'PUT', url: '/api/workflow/:county/:year/:ledger/completeness', tag: 'workflow',
    summary: "State whether a ledger holds every record (complete) or only some (partial); never changes its workflow status",
    params: z.object({ county: countyParam, year: yearParam, ledger: z.string().regex(/^[a-z_]{2,40}$/) }),
    body: z.object({ completeness: z.enum(['complete', 'partial']) }), response: LedgerState,
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
    response: AuditList,
    handler: async ({ actor, query }) => {
      const r = await listAudit(deps.store, actor, query);
      const names = await displayNames(deps.store, r.rows.map((x) => x.actor));
      return { total: r.total, rows: r.rows.map((x) => ({ ...x, actorName: names.get(x.actor) ?? null })) };
    },
  });
}
