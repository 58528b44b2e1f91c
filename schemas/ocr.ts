import Type, { type Static } from 'typebox';
import { BBox, resultHead, Uuid, Word } from './common.ts';

export const Feature = Type.Union(
  [Type.Literal('TABLES'), Type.Literal('FORMS'), Type.Literal('QUERIES'), Type.Literal('SIGNATURES'), Type.Literal('LAYOUT')],
  { description: 'Textract AnalyzeDocument feature; none means plain text detection.' },
);
export type Feature = Static<typeof Feature>;

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
    words: Type.Optional(Type.Array(Word, { description: 'With include=words.' })),
  },
  { additionalProperties: false },
);

export const KeyValue = Type.Object(
  { key: Type.String(), value: Type.String(), confidence: Type.Number(), page: Type.Integer(), bbox: Type.Optional(BBox) },
  { additionalProperties: false },
);

export const Table = Type.Object(
  { page: Type.Integer(), rows: Type.Array(Type.Array(Type.String())), confidence: Type.Number(), bbox: Type.Optional(BBox) },
  { additionalProperties: false },
);

export const Query = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 200, description: 'The question, e.g. "What is the total due?".' }),
    alias: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'A short name for the answer, e.g. TOTAL.' })),
    pages: Type.Optional(
      Type.Array(Type.String({ pattern: '^(\\*|[0-9]+(-([0-9]+|\\*))?)$', maxLength: 20 }), {
        maxItems: 20,
        description: 'Pages to ask on ("1", "2-4", "3-*", "*"); every processed page when absent.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type Query = Static<typeof Query>;

const QueryResult = Type.Object(
  {
    text: Type.String(),
    alias: Type.Optional(Type.String()),
    answers: Type.Array(Type.Object({ text: Type.String(), confidence: Type.Number(), page: Type.Integer() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

const Signature = Type.Object({ page: Type.Integer(), confidence: Type.Number(), bbox: BBox }, { additionalProperties: false });

const LayoutItem = Type.Object(
  {
    page: Type.Integer(),
    type: Type.String({ description: 'title, section_header, header, footer, page_number, text, list, table, figure or key_value' }),
    text: Type.String(),
    bbox: BBox,
  },
  { additionalProperties: false },
);

export const OcrResult = Type.Object(
  {
    ...resultHead,
    features: Type.Array(Feature),
    text: Type.String({ description: 'All lines in reading order, "\\n" between lines, form feed between pages.' }),
    pages: Type.Array(Page),
    keyValues: Type.Optional(Type.Array(KeyValue)),
    tables: Type.Optional(Type.Array(Table)),
    queries: Type.Optional(Type.Array(QueryResult)),
    signatures: Type.Optional(Type.Array(Signature)),
    layout: Type.Optional(Type.Array(LayoutItem, { description: 'Reading order.' })),
  },
  { additionalProperties: false },
);
export type OcrResult = Static<typeof OcrResult>;

/** /ocr's own options, beside the runtime's (filename, pages, format, include, callbackUrl). */
export const OcrOptions = Type.Object(
  {
    features: Type.Optional(Type.Array(Feature, { uniqueItems: true, maxItems: 5 })),
    queries: Type.Optional(
      Type.Array(Query, { maxItems: 15, description: 'With QUERIES (implied when given): up to 15 questions, Textract\'s limit per page.' }),
    ),
  },
  { additionalProperties: false },
);
export type OcrOptions = Static<typeof OcrOptions>;

export const DocumentParams = Type.Object({ documentId: Uuid }, { additionalProperties: false });
export type DocumentParams = Static<typeof DocumentParams>;
