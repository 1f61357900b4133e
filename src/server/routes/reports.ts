import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { addEvidence, deleteEvidence, getEvidence, listEvidence, MAX_EVIDENCE_BYTES } from '../../services/evidence.ts';
import { invalid } from '../../services/errors.ts';
import { ReportJobs } from '../../services/report-jobs.ts';
import { ReportPool } from '../../services/report-threads.ts';
import { templateBuffer } from '../../services/exports.ts';
import { Evidence, ReportJob } from '../../api/contract.ts';
import { countyParam, idParam, route, type ServerDeps, unitParam, yearParam } from '../http.ts';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const jobId = z.string().uuid('任务编号有误 / not a job id');

/** RFC 5987 Content-Disposition so that Chinese file names survive every browser. */
export function attachment(filename: string, inline = false): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** The zip jobs of each server, for tests that wait for them. */
const jobsOfApp = new WeakMap<FastifyInstance, ReportJobs>();
export function reportJobsOf(app: FastifyInstance): ReportJobs | undefined {
  return jobsOfApp.get(app);
}

/** The report routes; returns their pool of report threads, which other heavy answers share. */
export function reportRoutes(app: FastifyInstance, deps: ServerDeps): ReportPool {
  // Reports are built in report threads: a burst of downloads must not hold up other requests.
  const reports = new ReportPool(deps.store.config);
  const jobs = new ReportJobs(deps.store, reports);
  jobsOfApp.set(app, jobs);
  app.addHook('onClose', async () => { await jobs.close(); await reports.close(); });

  route(app, deps, {
    method: 'GET', url: '/api/reports/:county/:year', tag: 'reports',
    summary: 'The self-assessment report drafted from data: html (preview fragment), md, docx, or the figure-sources annex (annex, docx); appendix=inline puts the sources at the end of the docx',
    params: z.object({ county: unitParam, year: yearParam }),
    query: z.object({ format: z.enum(['html', 'md', 'docx', 'annex']).default('html'), appendix: z.enum(['annex', 'inline', 'none']).default('annex') }),
    produces: ['text/html', 'text/markdown', DOCX],
    handler: async ({ actor, params, query, reply }) => {
      const name = `${params.county}-${params.year}-东西部协作自评报告`;
      const file = await reports.render(deps.store, { actor, unit: params.county, year: params.year, kind: query.format, appendix: query.appendix });
      switch (query.format) {
        case 'html': return reply.type('text/html; charset=utf-8').send(file);
        case 'md': return reply.type('text/markdown; charset=utf-8').header('content-disposition', attachment(`${name}.md`)).send(file);
        case 'docx': return reply.type(DOCX).header('content-disposition', attachment(`${name}.docx`)).send(file);
        case 'annex': return reply.type(DOCX).header('content-disposition', attachment(`${name}-数据来源.docx`)).send(file);
      }
    },
  });

  route(app, deps, {
    method: 'POST', url: '/api/report-jobs', tag: 'reports',
    summary: 'Start writing the report of every county with data under a unit (province, prefecture, eastern partner; a county user: the own county) into one zip, in the background; answers the running job',
    body: z.object({
      unit: z.string().regex(/^(\d{2}|\d{4}|\d{6})?$/, '单位代码应为2、4或6位数字 / a unit code has 2, 4 or 6 digits'),
      year: yearParam,
      format: z.enum(['docx', 'md', 'html']).default('docx'),
      appendix: z.enum(['annex', 'inline', 'none']).default('annex'),
    }),
    response: ReportJob,
    handler: async ({ actor, body, reply }) => {
      const job = await jobs.start(actor, body);
      reply.code(202);
      return job;
    },
  });

  route(app, deps, {
    method: 'GET', url: '/api/report-jobs/:id', tag: 'reports',
    summary: 'Progress of a report zip job of the caller\'s: counties done of all, those being written, failures, an estimate of the time left',
    params: z.object({ id: jobId }),
    response: ReportJob,
    handler: async ({ actor, params }) => jobs.get(actor, params.id),
  });

  route(app, deps, {
    method: 'GET', url: '/api/report-jobs/:id/zip', tag: 'reports',
    summary: 'The zip of a finished report job (409 while it runs)',
    params: z.object({ id: jobId }),
    produces: ['application/zip'],
    handler: async ({ actor, params, reply }) => {
      const z = jobs.zip(actor, params.id);
      return reply.type('application/zip').header('content-length', z.size).header('content-disposition', attachment(z.filename)).send(createReadStream(z.path));
    },
  });

  route(app, deps, {
    method: 'DELETE', url: '/api/report-jobs/:id', tag: 'reports',
    summary: 'Cancel a running report zip job, or discard a finished one and its file',
    params: z.object({ id: jobId }),
    response: ReportJob,
    handler: async ({ actor, params }) => jobs.cancel(actor, params.id),
  });

  route(app, deps, {
    method: 'GET', url: '/api/exports/:county/:year', tag: 'reports',
    summary: 'The ledgers of a county-year as a formatted Excel workbook with an indicator summary sheet; ledger=kind limits it to one',
    params: z.object({ county: countyParam, year: yearParam }),
    query: z.object({ ledger: z.string().regex(/^[a-z_]{2,40}$/).optional() }),
    produces: [XLSX],
    handler: async ({ actor, params, query, reply }) => {
      // Writing a workbook of many thousand records takes a while: done in a report thread, like the reports.
      const data = await reports.render(deps.store, { actor, unit: params.county, year: params.year, kind: 'ledgers', ...(query.ledger ? { ledger: query.ledger } : {}) });
      return reply.type(XLSX).header('content-disposition', attachment(`${params.county}-${params.year}-台账${query.ledger ? `-${query.ledger}` : ''}.xlsx`)).send(data);
    },
  });

  route(app, deps, {
    method: 'GET', url: '/api/templates/:year', tag: 'reports',
    summary: 'An empty Excel template for one ledger (ledger=kind) or all of them, with the year\'s category lists',
    params: z.object({ year: yearParam }),
    query: z.object({ ledger: z.string().regex(/^[a-z_]{2,40}$/).optional(), county: countyParam.optional() }),
    produces: [XLSX],
    handler: async ({ params, query, reply }) => {
      const data = await templateBuffer({ year: params.year, store: deps.store, ...(query.county ? { county: query.county } : {}), ...(query.ledger ? { ledger: query.ledger } : {}) });
      return reply.type(XLSX).header('content-disposition', attachment(`台账模板-${params.year}${query.ledger ? `-${query.ledger}` : ''}.xlsx`)).send(data);
    },
  });

  route(app, deps, {
    method: 'GET', url: '/api/evidence/:county/:year', tag: 'evidence',
    summary: 'Evidence files (佐证材料) of a county-year, optionally of one record or indicator',
    params: z.object({ county: countyParam, year: yearParam }),
    query: z.object({ ledger: z.string().max(40).optional(), recordId: z.coerce.number().int().positive().optional(), indicator: z.string().max(100).optional() }),
    response: z.array(Evidence),
    handler: async ({ actor, params, query }) => listEvidence(deps.store, actor, params.county, params.year, query),
  });

  route(app, deps, {
    method: 'POST', url: '/api/evidence/:county/:year', tag: 'evidence',
    summary: `Attach a file (PDF, PNG, JPEG, Office; at most ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB) to a record (ledger + recordId) or an indicator`,
    params: z.object({ county: countyParam, year: yearParam }),
    multipart: { ledger: 'string', recordId: 'string', indicator: 'string', file: 'binary' },
    response: Evidence,
    handler: async ({ actor, params, req, reply }) => {
      if (!req.isMultipart()) throw invalid('请以multipart/form-data上传文件', 'upload the file as multipart/form-data');
      const fields: Record<string, string> = {};
      let file: { filename: string; data: Buffer } | undefined;
      for await (const part of req.parts()) {
        if (part.type === 'file') {
          if (file) throw invalid('一次只能上传一个文件', 'one file per upload');
          const data = await part.toBuffer();
          if (part.file.truncated) throw invalid(`文件不能超过${MAX_EVIDENCE_BYTES / 1024 / 1024}MB`, 'the file is too large');
          file = { filename: part.filename, data };
        } else fields[part.fieldname] = String(part.value);
      }
      if (!file) throw invalid('缺少文件', 'no file in the upload');
      const recordId = fields.recordId ? Number(fields.recordId) : null;
      if (recordId !== null && !Number.isInteger(recordId)) throw invalid('记录编号有误', 'recordId must be a number');
      const v = await addEvidence(deps.store, actor, deps.dataDir, {
        county: params.county, year: params.year, ledger: fields.ledger || null, recordId, indicator: fields.indicator || null,
      }, file);
      reply.code(201);
      return v;
    },
  });

  route(app, deps, {
    method: 'GET', url: '/api/evidence-files/:id', tag: 'evidence', summary: 'Download an evidence file',
    params: z.object({ id: idParam }), produces: ['application/octet-stream'],
    handler: async ({ actor, params, reply }) => {
      const { view, path } = await getEvidence(deps.store, actor, params.id, deps.dataDir);
      return reply.type(view.mime).header('content-disposition', attachment(view.filename)).header('x-content-type-options', 'nosniff')
        .send(createReadStream(path));
    },
  });

  route(app, deps, {
    method: 'DELETE', url: '/api/evidence-files/:id', tag: 'evidence', summary: 'Delete an evidence file',
    params: z.object({ id: idParam }),
    handler: async ({ actor, params }) => deleteEvidence(deps.store, actor, deps.dataDir, params.id),
  });
  return reports;
}
