import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { auditDocuments, documentText, MAX_AUDIT_CHARS } from '../../services/figure-audit.ts';
import { invalid } from '../../services/errors.ts';
import { countyParam, route, type ServerDeps, yearParam } from '../http.ts';

const Doc = z.object({
  name: z.string().min(1).max(200).default('pasted.txt'),
  /** Pasted text, or… */
  text: z.string().max(MAX_AUDIT_CHARS).optional(),
  /** …an uploaded .txt, .md or .docx file, base64-encoded. */
  base64: z.string().max(Math.ceil(MAX_AUDIT_CHARS * 1.4)).optional(),
});

const Bi = z.object({ zh: z.string(), en: z.string() });
const Loc = z.object({ start: z.number(), end: z.number(), paragraph: z.number(), line: z.number(), column: z.number() });
const Verdict = z.enum(['holds', 'holds_other_rounding', 'fails']);
const AuditOut = z.object({
  name: z.string(), text: z.string(),
  figures: z.array(z.object({
    id: z.number(), text: z.string(), value: z.string(), max: z.string().nullable(), qual: z.enum(['exact', 'about', 'over', 'under', 'range']),
    dim: z.enum(['money', 'percent', 'pp', 'count']), unit: z.string(), label: z.string(), sentence: z.string(), location: Loc,
  })),
  relations: z.array(z.object({
    kind: z.enum(['sum', 'subset', 'rate', 'rate_base', 'pp_change', 'growth', 'per_unit', 'table_total', 'repeat', 'rollup']),
    verdict: Verdict, rounding: z.enum(['truncation', 'whole_percent', 'one_decimal']).optional(),
    figures: z.array(z.object({ id: z.number(), text: z.string(), location: Loc })), location: Loc, detail: Bi, correction: Bi.nullable(),
  })),
  failures: z.number(),
  data: z.object({
    county: z.string(), year: z.number(), supported: z.number(), contradicted: z.number(), unchecked: z.number(),
    checks: z.array(z.object({
      figure: z.number(), text: z.string(), verdict: z.enum(['supported', 'contradicted', 'unchecked']),
      indicator: z.object({ id: z.string(), label: z.string(), display: z.string().nullable() }).optional(),
      detail: Bi, trace: z.array(z.string()).optional(),
    })),
  }).optional(),
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
    body: Doc, response: AuditOut,
    handler: async ({ body }) => (await auditDocuments([await readDoc(body)]))[0],
  });
  route(app, deps, {
    method: 'POST', url: '/api/figure-audit/:county/:year', tag: 'figure-audit',
    summary: 'Check the figures of a report text and hold them against the county-year\'s indicators (supported, contradicted with sources, cannot be checked)',
    params: z.object({ county: countyParam, year: yearParam }),
    body: Doc, response: AuditOut,
    handler: async ({ actor, params, body }) => (await auditDocuments([await readDoc(body)], { store: deps.store, actor, county: params.county, year: params.year }))[0],
  });
}
