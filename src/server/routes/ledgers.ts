import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createRecord, deleteRecord, getRecord, listRecords, updateRecord } from '../../services/ledgers.ts';
import { LedgerRecords, LedgerRecord } from '../../api/contract.ts';
import { countyParam, idParam, route, type ServerDeps, yearParam } from '../http.ts';

/** Record values as sent: declared fields, validated by the ledger service against the ledger's declaration. */
const Values = z.record(z.string(), z.unknown()).describe('Record values: declared fields of the ledger (money in integer fen)');
const kindParam = z.string().regex(/^[a-z_]{2,40}$/);

export function ledgerRoutes(app: FastifyInstance, deps: ServerDeps): void {
  route(app, deps, {
    method: 'GET', url: '/api/ledgers/:kind/:county/:year', tag: 'ledgers',
    summary: 'Records of one ledger for a county-year; filter with f.<field>=value (text fields match substrings), sort, paginate. `totals` adds up each amount and count field over every matching record (null when none holds a value)',
    params: z.object({ kind: kindParam, county: countyParam, year: yearParam }),
    query: z.looseObject({
      offset: z.coerce.number().int().min(0).optional(),
      limit: z.coerce.number().int().min(1).max(500).optional(),
      sort: z.string().max(60).optional(),
      dir: z.enum(['asc', 'desc']).optional(),
    }),
    response: LedgerRecords,
    handler: async ({ actor, params, query }) => {
      const filters: Record<string, string> = {};
      for (const [k, v] of Object.entries(query)) if (k.startsWith('f.') && typeof v === 'string') filters[k.slice(2)] = v;
      return listRecords(deps.store, actor, params.kind, params.county, params.year, {
        filters, offset: query.offset ?? 0, limit: query.limit ?? 20,
        ...(query.sort ? { sort: { field: query.sort, dir: query.dir ?? 'asc' } } : {}),
      });
    },
  });

  route(app, deps, {
    method: 'POST', url: '/api/ledgers/:kind/:county/:year', tag: 'ledgers',
    summary: 'Create a record; validated against the ledger declaration and the year\'s category lists',
    params: z.object({ kind: kindParam, county: countyParam, year: yearParam }),
    body: Values, response: LedgerRecord,
    handler: async ({ actor, params, body, reply }) => {
      const rec = await createRecord(deps.store, actor, params.kind, params.county, params.year, body);
      reply.code(201);
      return rec;
    },
  });

  route(app, deps, {
    method: 'GET', url: '/api/records/:kind/:id', tag: 'ledgers', summary: 'One record',
    params: z.object({ kind: kindParam, id: idParam }), response: LedgerRecord,
    handler: async ({ actor, params }) => getRecord(deps.store, actor, params.kind, params.id),
  });

  route(app, deps, {
    method: 'PUT', url: '/api/records/:kind/:id', tag: 'ledgers',
    summary: 'Replace a record\'s values if `version` is still current; a stale version is refused with 409',
    params: z.object({ kind: kindParam, id: idParam }),
    body: z.object({ version: z.number().int().positive(), values: Values }), response: LedgerRecord,
    handler: async ({ actor, params, body }) => updateRecord(deps.store, actor, params.kind, params.id, body.values, body.version),
  });

  route(app, deps, {
    method: 'DELETE', url: '/api/records/:kind/:id', tag: 'ledgers',
    summary: 'Delete a record if `version` is still current',
    params: z.object({ kind: kindParam, id: idParam }),
    query: z.object({ version: z.coerce.number().int().positive() }),
    handler: async ({ actor, params, query }) => deleteRecord(deps.store, actor, params.kind, params.id, query.version),
  });
}
