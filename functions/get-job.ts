import { defineFunction, RawJson } from '../runtime/define.ts';
import * as q from '../runtime/db/queries.ts';
import { isDocumentFunction } from '../runtime/document-functions/define.ts';
import { presentResult } from '../runtime/document-functions/present.ts';
import { httpError } from '../runtime/errors.ts';
import { scopeOf } from '../runtime/tenants.ts';
import { jobFields, jobJson, jobResult } from '../runtime/jobs/job-json.ts';
import { Job, JobParams } from '../schemas/job.ts';
import { presentationOptions, ResultQuery } from '../schemas/result-query.ts';

export default defineFunction({
  name: 'getJob',
  method: 'GET',
  path: '/ocr/jobs/:jobId',
  summary: 'Poll a job: status, attempts, timestamps, progress, error, and the result once it succeeded (?format= for the result alone as text, markdown, HTML or CSV).',
  schema: { params: JobParams, query: ResultQuery, response: Job },
  options: { queueable: false },
  async handler(event, ctx) {
    // Another tenant's job is answered as an unknown one: its id tells nothing.
    const row = (await ctx.db.query(q.findJob(event.params.jobId, scopeOf(ctx.tenant)))).rows[0];
    if (!row) throw httpError('JOB_NOT_FOUND', 'No such job.');
    const { format, include } = event.query;
    // A format other than json is the result alone, as GET /documents/:id gives it; json keeps the Job.
    const asJob = !format || format === 'json';
    if (asJob && (!include || row.status !== 'succeeded')) return new RawJson(await jobJson(ctx, row));
    if (row.status !== 'succeeded') {
      throw httpError('JOB_NOT_SUCCEEDED', `The job is ${row.status}; format and include apply to the result of a succeeded job.`);
    }
    const result = await jobResult(ctx, row);
    if (!result) throw httpError('JOB_NOT_SUCCEEDED', 'This job has no stored result to format.');
    const fn = ctx.functions.get(result.row.function);
    const presented = await presentResult({
      spec: fn && isDocumentFunction(fn) ? fn.document : undefined,
      json: result.json,
      stored: { documentId: result.row.document_id, resultId: result.row.result_id, cached: true },
      body: presentationOptions(event.query),
      headers: asJob ? {} : event.headers,
      ctx,
    });
    if (!asJob || !(presented instanceof RawJson)) return presented;
    const head = JSON.stringify(jobFields(row));
    return new RawJson(`${head.slice(0, -1)},"result":${presented.json}}`);
  },
});
