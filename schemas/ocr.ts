import Type, { type Static } from 'typebox';
import { Feature, Uuid } from './common.ts';

const BBox = Type.Object(
  { left: Type.Number(), top: Type.Number(), width: Type.Number(), height: Type.Number() },
  { additionalProperties: false, description: 'Fractions of the page (0..1).' },
);

const Line = Type.Object(
  { text: Type.String(), confidence: Type.Number({ description: '0..100' }), bbox: BBox },
  { additionalProperties: false },
);

const Page = Type.Object(
  {
    page: Type.Integer({ minimum: 1 }),
    width: Type.Optional(Type.Number()),
    height: Type.Optional(Type.Number()),
    lines: Type.Array(Line),
  },
  { additionalProperties: false },
);

export const KeyValue = Type.Object(
  { key: Type.String(), value: Type.String(), confidence: Type.Number(), page: Type.Integer() },
  { additionalProperties: false },
);

export const Table = Type.Object(
  { page: Type.Integer(), rows: Type.Array(Type.Array(Type.String())), confidence: Type.Number() },
  { additionalProperties: false },
);

export const OcrResult = Type.Object(
  {
    documentId: Uuid,
    sha256: Type.String(),
    filename: Type.Union([Type.String(), Type.Null()]),
    contentType: Type.String(),
    bytes: Type.Integer(),
    pageCount: Type.Integer(),
    engine: Type.Union([Type.Literal('textract'), Type.Literal('tesseract'), Type.Literal('paddle')]),
    features: Type.Array(Feature),
    cached: Type.Boolean(),
    durationMs: Type.Number(),
    text: Type.String({ description: 'All lines in reading order, "\\n" between lines, form feed between pages.' }),
    pages: Type.Array(Page),
    keyValues: Type.Optional(Type.Array(KeyValue)),
    tables: Type.Optional(Type.Array(Table)),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type OcrResult = Static<typeof OcrResult>;

/** Options beside the document, whichever of the three forms carried it. */
export const OcrOptions = Type.Object(
  {
    features: Type.Optional(Type.Array(Feature, { uniqueItems: true, maxItems: 4 })),
    filename: Type.Optional(Type.String({ maxLength: 255 })),
    callbackUrl: Type.Optional(Type.String({ format: 'uri', maxLength: 2048 })),
  },
  { additionalProperties: false },
);
export type OcrOptions = Static<typeof OcrOptions>;

/** The JSON form of a submission: the document as base64. */
export const OcrJsonBody = Type.Object(
  {
    document: Type.String({ minLength: 1, description: 'The document, base64-encoded.' }),
    filename: Type.Optional(Type.String({ maxLength: 255 })),
    features: Type.Optional(Type.Array(Feature, { uniqueItems: true, maxItems: 4 })),
    callbackUrl: Type.Optional(Type.String({ format: 'uri', maxLength: 2048 })),
  },
  { additionalProperties: false },
);
export type OcrJsonBody = Static<typeof OcrJsonBody>;

export const DocumentParams = Type.Object({ documentId: Uuid }, { additionalProperties: false });
export type DocumentParams = Static<typeof DocumentParams>;
