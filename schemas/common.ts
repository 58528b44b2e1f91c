import Type, { type Static } from 'typebox';

export const Uuid = Type.String({ format: 'uuid' });

export const BBox = Type.Object(
  { left: Type.Number(), top: Type.Number(), width: Type.Number(), height: Type.Number() },
  { additionalProperties: false, description: 'Fractions of the page (0..1).' },
);

export const Word = Type.Object(
  { text: Type.String(), confidence: Type.Number({ description: '0..100' }), bbox: BBox },
  { additionalProperties: false },
);

/** The fields every document function's result starts with (API.md v1.1). */
export const resultHead = {
  documentId: Uuid,
  sha256: Type.String(),
  filename: Type.Union([Type.String(), Type.Null()]),
  contentType: Type.String(),
  bytes: Type.Integer(),
  pageCount: Type.Integer({ description: "The document's pages, whichever were processed." }),
  engine: Type.String({ description: '"textract" or the local engine\'s name.' }),
  cached: Type.Boolean(),
  durationMs: Type.Number(),
  createdAt: Type.String({ format: 'date-time' }),
};

/** `include=words`: each processed page's words with their boxes. */
export const PageWords = Type.Object(
  { page: Type.Integer({ minimum: 1 }), words: Type.Array(Word) },
  { additionalProperties: false },
);

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code, e.g. VALIDATION_FAILED.' }),
      message: Type.String(),
      requestId: Type.String(),
      issues: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
    }),
  },
  { additionalProperties: false },
);
export type ErrorResponse = Static<typeof ErrorResponse>;
