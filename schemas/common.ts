import Type, { type Static } from 'typebox';

export const Feature = Type.Union(
  [Type.Literal('TABLES'), Type.Literal('FORMS'), Type.Literal('SIGNATURES'), Type.Literal('LAYOUT')],
  { description: 'Textract AnalyzeDocument feature; none means plain text detection.' },
);
export type Feature = Static<typeof Feature>;

export const Uuid = Type.String({ format: 'uuid' });

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
