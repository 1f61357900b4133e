import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { auditDocuments, documentText, MAX_AUDIT_CHARS } from '../../services/figure-audit.ts';
import { invalid } from '../../services/errors.ts';
import { DocumentAudit } from '../../api/contract.ts';
import { countyParam, route, type ServerDeps, yearParam } from '../http.ts';

const Doc = z.object({
  name: z.string().min(1).max(200).default('pasted.txt'),
  /** Pasted text, or… */
  text: z.string().max(MAX_AUDIT_CHARS).optional(),
  /** …an uploaded .txt, .md or .docx file, base64-encoded. */
  base64: z.string().max(Math.ceil(MAX_AUDIT_CHARS * 1.4)).optional(),
});

async function readDoc(d: z.output<typeof Doc>) {
  if (d.text !== undefined) return { name: d.name, text: d.text };
  if (d.base64 === undefined) throw invalid('请粘贴文本或上传文件', 'paste a text or upload a file');
  return { name: d.name, text: await documentText(d.name, Buffer.from(d.base64, 'base64')) };
}

/** Figure audit: one document's figures and the relations between them, optionally held against a county-year's data. */
export function figureAuditRoutes(app: FastifyInstance, deps: ServerDeps): void {
  route(app, deps, {
    method: 'POST', url: '/api/figure-audit', tag: 'figure-audit',
    summary: 'Check the figures of a report text (.txt, .md, .docx or pasted): totals and parts, rates, point changes, per-head amounts',
    body: Doc, response: DocumentAudit,
    handler: async ({ body }) => (await auditDocuments([await readDoc(body)]))[0],
  });
  route(app, deps, {
    method: 'POST', url: '/api/figure-audit/:county/:year', tag: 'figure-audit',
    summary: 'Check the figures of a report text and hold them against the county-year\'s indicators (supported, contradicted with sources, cannot be checked)',
    params: z.object({ county: countyParam, year: yearParam }),
    body: Doc, response: DocumentAudit,
    handler: async ({ actor, params, body }) => (await auditDocuments([await readDoc(body)], { store: deps.store, actor, county: params.county, year: params.year }))[0],
  });
}
