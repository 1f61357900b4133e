import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { invalid } from '../../services/errors.ts';
import { echo } from '../../excel/limits.ts';
import { type ImportJob, importJob, startImportJob } from '../../services/import-jobs.ts';
import { importUploads, MAX_IMPORT_BYTES, MAX_IMPORT_FILES, type UploadOutcome } from '../../services/imports.ts';
import { ImportJob as JobOut, ImportOutcome } from '../../api/contract.ts';
import { countyParam, route, type ServerDeps, yearParam } from '../http.ts';

type Uploads = Array<{ name: string; data: Buffer }>;

/** The files of a multipart upload, each at most the size limit. */
async function readUploads(req: FastifyRequest): Promise<Uploads> {
  if (!req.isMultipart()) throw invalid('请以multipart/form-data上传文件', 'upload the files as multipart/form-data');
  const uploads: Uploads = [];
  for await (const part of req.parts({ limits: { files: MAX_IMPORT_FILES, fileSize: MAX_IMPORT_BYTES, fields: 0 } })) {
    if (part.type !== 'file') continue;
    const data = await part.toBuffer();
    const name = echo(part.filename, 120);
    if (part.file.truncated) throw invalid(`文件不能超过${MAX_IMPORT_BYTES / 1024 / 1024}MB：${name}`, `the file is too large: ${name}`);
    uploads.push({ name: part.filename, data });
  }
  return uploads;
}

const withBase64 = (r: UploadOutcome) => ({ ...r, annotated: r.annotated.map((a) => ({ file: a.file, name: a.name, marked: a.marked, base64: a.data.toString('base64') })) });

export function importRoutes(app: FastifyInstance, deps: ServerDeps): void {
  route(app, deps, {
    method: 'POST', url: '/api/imports/:county/:year', tag: 'imports',
    summary: `Import ledger workbooks (.xlsx / .csv, up to ${MAX_IMPORT_FILES} files of at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB) into a county-year, all or nothing; dryRun=true (the default) validates and counts without writing`,
    params: z.object({ county: countyParam, year: yearParam }),
    query: z.object({ dryRun: z.enum(['true', 'false']).default('true') }),
    multipart: { files: 'binary' },
    response: ImportOutcome,
    handler: async ({ actor, params, query, req }) => {
      const uploads = await readUploads(req);
      // In its own thread and connection on SQLite: other requests go on while the import runs.
      const r = await importUploads(deps.store, actor, uploads, { county: params.county, year: params.year, dryRun: query.dryRun === 'true', thread: true });
      return withBase64(r);
    },
  });

  route(app, deps, {
    method: 'POST', url: '/api/imports/:county/:year/jobs', tag: 'imports',
    summary: 'Start the same import in the background (refused at once when the upload is wrong as a whole); follow it with GET /api/imports/jobs/{id}',
    params: z.object({ county: countyParam, year: yearParam }),
    query: z.object({ dryRun: z.enum(['true', 'false']).default('true') }),
    multipart: { files: 'binary' },
    response: JobOut,
    handler: async ({ actor, params, query, req, reply }) => {
      const uploads = await readUploads(req);
      const job = startImportJob(deps.store, actor, uploads, { county: params.county, year: params.year, dryRun: query.dryRun === 'true', thread: true });
      reply.code(202);
      return jobOut(job);
    },
  });

  route(app, deps, {
    method: 'GET', url: '/api/imports/jobs/:id', tag: 'imports',
    summary: 'An import job of the signed-in user: rows read so far, then the result',
    params: z.object({ id: z.string().max(64) }),
    response: JobOut,
    handler: async ({ actor, params }) => jobOut(importJob(actor, params.id)),
  });
}

function jobOut(job: ImportJob) {
  return { ...job, result: job.result ? withBase64(job.result) : null };
}
