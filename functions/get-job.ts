import { defineFunction, RawJson } from '../runtime/define.ts';
import { httpError } from '../runtime/errors.ts';
import * as q from '../runtime/db/queries.ts';
import { jobJson } from '../runtime/jobs/job-json.ts';
import { Job, JobParams } from '../schemas/job.ts';

export default defineFunction({
  name: 'getJob',
  method: 'GET',
  path: '/ocr/jobs/:jobId',
  summary: 'Poll a job: status, attempts, timestamps, progress, error, and the result once it succeeded.',
  schema: { params: JobParams, response: Job },
  options: { queueable: false },
  async handler(event, ctx) {
    const row = (await ctx.db.query(q.findJob(event.params.jobId))).rows[0];
    if (!row) throw httpError('JOB_NOT_FOUND', `No job ${event.params.jobId}.`);
    return new RawJson(await jobJson(ctx.db, row));
  },
});
