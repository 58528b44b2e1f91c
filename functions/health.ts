import { defineFunction, Reply } from '../runtime/define.ts';
import * as q from '../runtime/db/queries.ts';
import { Health } from '../schemas/health.ts';

export default defineFunction({
  name: 'health',
  method: 'GET',
  path: '/health',
  summary: 'Liveness and dependencies of the process that answered.',
  schema: { response: Health },
  options: { auth: false, queueable: false },
  async handler(_event, ctx) {
    const db = await ctx.db
      .query(q.ping())
      .then(() => 'ok' as const)
      .catch(() => 'unreachable' as const);
    const queue = db === 'ok' && (ctx.queue ? await ctx.queue.health().catch(() => false) : true) ? 'ok' : 'unreachable';
    const body: Health = {
      status: db === 'ok' && queue === 'ok' ? 'ok' : 'degraded',
      version: ctx.config.version,
      engine: ctx.engineName,
      db,
      queue,
      adapter: ctx.httpAdapter,
      worker: {
        id: ctx.workerId,
        pid: process.pid,
        uptimeS: Math.round((Date.now() - ctx.startedAt) / 1000),
        inFlight: ctx.inFlight(),
      },
    };
    return new Reply(db === 'ok' ? 200 : 503, body);
  },
});
