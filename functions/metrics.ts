import Type from 'typebox';
import { defineFunction, RawBody } from '../runtime/define.ts';
import { clusterFigures, CONTENT_TYPE, serviceMetricsText } from '../runtime/metrics/exposition.ts';
import { gatherReports } from '../runtime/metrics/gather.ts';

export default defineFunction({
  name: 'metrics',
  method: 'GET',
  path: '/metrics',
  summary:
    'Prometheus metrics of the whole instance (every worker added up) and the queue as PostgreSQL holds it. Needs the API key: Prometheus sends it with `authorization: {credentials_file: ...}` as a Bearer token.',
  schema: { response: Type.String({ contentMediaType: 'text/plain' }) },
  // Behind the key like every route but /health (API.md): the figures name routes, functions and
  // volumes, which are this deployment's business; Prometheus sends a Bearer token natively.
  options: { queueable: false },
  async handler(_event, ctx) {
    const [gathered, cluster] = await Promise.all([gatherReports(ctx.workerId), clusterFigures(ctx.db)]);
    return new RawBody(await serviceMetricsText(gathered, cluster), CONTENT_TYPE);
  },
});
