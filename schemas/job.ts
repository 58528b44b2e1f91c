import Type, { type Static } from 'typebox';
import { Uuid } from './common.ts';
import { OcrResult } from './ocr.ts';

export const JobStatus = Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed')]);

export const Job = Type.Object(
  {
    jobId: Uuid,
    function: Type.String(),
    status: JobStatus,
    attempts: Type.Integer({ minimum: 0 }),
    createdAt: Type.String({ format: 'date-time' }),
    startedAt: Type.Optional(Type.String({ format: 'date-time' })),
    finishedAt: Type.Optional(Type.String({ format: 'date-time' })),
    documentId: Type.Optional(Uuid),
    worker: Type.Optional(Type.String({ description: 'The process running the job, while it runs.' })),
    pagesDone: Type.Optional(Type.Integer()),
    pageCount: Type.Optional(Type.Integer()),
    error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
    result: Type.Optional(Type.Union([OcrResult, Type.Unknown()])),
    statusUrl: Type.Optional(Type.String()),
    eventsUrl: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type Job = Static<typeof Job>;

export const JobParams = Type.Object({ jobId: Uuid }, { additionalProperties: false });
export type JobParams = Static<typeof JobParams>;
