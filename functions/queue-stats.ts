import { defineFunction } from '../runtime/define.ts';
import { readQueueStats } from '../runtime/jobs/queue-stats.ts';
import { QueueStats } from '../schemas/queue.ts';

export default defineFunction({
  name: 'queueStats',
  method: 'GET',
  path: '/queue/stats',
  summary: 'Cluster-wide queue figures from PostgreSQL, over the last five minutes.',
  schema: { response: QueueStats },
  options: { queueable: false },
  async handler(_event, ctx): Promise<QueueStats> {
    return readQueueStats(ctx.db);
  },
});
