import Type, { type Static } from 'typebox';

export const QueueStats = Type.Object(
  {
    queued: Type.Integer(),
    running: Type.Integer(),
    succeeded: Type.Integer({ description: 'Finished in the window.' }),
    failed: Type.Integer({ description: 'Finished in the window.' }),
    window: Type.Literal('5m'),
    processingMs: Type.Object({ avg: Type.Number(), p50: Type.Number(), p95: Type.Number(), max: Type.Number() }),
    waitMs: Type.Object({ avg: Type.Number(), p95: Type.Number() }),
    docsPerMinute: Type.Number({ description: 'Jobs succeeded in the last 60 seconds.' }),
    workers: Type.Integer({ description: 'Live processes across every machine sharing the database.' }),
    since: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type QueueStats = Static<typeof QueueStats>;
