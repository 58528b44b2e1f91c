import Type, { type Static } from 'typebox';

export const Health = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
    version: Type.String(),
    engine: Type.Union([Type.Literal('textract'), Type.Literal('tesseract'), Type.Literal('paddle'), Type.Literal('none')]),
    db: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
    queue: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
    worker: Type.Object({ id: Type.String(), pid: Type.Integer(), uptimeS: Type.Number(), inFlight: Type.Integer() }),
  },
  { additionalProperties: false },
);
export type Health = Static<typeof Health>;
