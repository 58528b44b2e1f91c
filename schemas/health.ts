import Type, { type Static } from 'typebox';

export const Health = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
    version: Type.String(),
    engine: Type.String({ description: '"textract", the local engine\'s name, or "none".' }),
    db: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
    queue: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
    /** The HTTP adapter of the answering process: uWebSockets.js, or node:http where uWS cannot load. */
    adapter: Type.Union([Type.Literal('uws'), Type.Literal('node')]),
    worker: Type.Object({ id: Type.String(), pid: Type.Integer(), uptimeS: Type.Number(), inFlight: Type.Integer() }),
  },
  { additionalProperties: false },
);
export type Health = Static<typeof Health>;
