import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { invalid } from '../../services/errors.ts';
import { importUploads, MAX_IMPORT_BYTES, MAX_IMPORT_FILES } from '../../services/imports.ts';
import { countyParam, route, type ServerDeps, yearParam } from '../http.ts';

const Problem = z.object({
  file: z.string(), sheet: z.string(), row: z.number().nullable(), column: z.string().nullable(), header: z.string().nullable(),
  field: z.string().nullable(), value: z.string(), zh: z.string(), en: z.string(),
});
const ImportOut = z.object({
  committed: z.boolean(), dryRun: z.boolean(), ok: z.boolean(), rows: z.number(),
  errors: z.array(Problem), errorCount: z.number(),
  notices: z.array(Problem.omit({ header: true, field: true })),
  summary: z.array(z.object({ kind: z.string(), added: z.number(), updated: z.number(), unchanged: z.number() })),
  sheets: z.array(z.object({ file: z.string(), sheet: z.string(), ledger: z.string().nullable(), headerRow: z.number().nullable(), rows: z.number() })),
  findings: z.array(z.object({
    code: z.literal('duplicate_person'), ledger: z.string(), masked: z.string(), newAbove: z.number(), zh: z.string(), en: z.string(),
    records: z.array(z.object({ id: z.number(), name: z.string().nullable(), startDate: z.string().nullable(), employer: z.string().nullable(), note: z.string().nullable() })),
  })),
  /** Annotated copies of the files with problems, base64-encoded .xlsx. */
  annotated: z.array(z.object({ file: z.string(), name: z.string(), marked: z.number(), base64: z.string() })),
});

export function importRoutes(app: FastifyInstance, deps: ServerDeps): void {
  route(app, deps, {
    method: 'POST', url: '/api/imports/:county/:year', tag: 'imports',
    summary: `Import ledger workbooks (.xlsx / .csv, up to ${MAX_IMPORT_FILES} files of at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB) into a county-year, all or nothing; dryRun=true (the default) validates and counts without writing`,
    params: z.object({ county: countyParam, year: yearParam }),
    query: z.object({ dryRun: z.enum(['true', 'false']).default('true') }),
    multipart: { files: 'binary' },
    response: ImportOut,
    handler: async ({ actor, params, query, req }) => {
      if (!req.isMultipart()) throw invalid('请以multipart/form-data上传文件', 'upload the files as multipart/form-data');
      const uploads: Array<{ name: string; data: Buffer }> = [];
      for await (const part of req.parts({ limits: { files: MAX_IMPORT_FILES, fileSize: MAX_IMPORT_BYTES, fields: 0 } })) {
        if (part.type !== 'file') continue;
        const data = await part.toBuffer();
        if (part.file.truncated) throw invalid(`文件不能超过${MAX_IMPORT_BYTES / 1024 / 1024}MB：${part.filename}`, `the file is too large: ${part.filename}`);
        uploads.push({ name: part.filename, data });
      }
      const r = await importUploads(deps.store, actor, uploads, { county: params.county, year: params.year, dryRun: query.dryRun === 'true' });
      return { ...r, annotated: r.annotated.map((a) => ({ file: a.file, name: a.name, marked: a.marked, base64: a.data.toString('base64') })) };
    },
  });
}
