import Type, { type Static } from 'typebox';
import { OUTPUT_FORMATS } from '../runtime/formats/render.ts';

/** How a stored result is read back: its format, one table of it, its words. */
export const ResultQuery = Type.Object({
  format: Type.Optional(Type.Union(OUTPUT_FORMATS.map((f) => Type.Literal(f)), { description: 'json (default), text, markdown, html or csv; Accept works too.' })),
  table: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'With format=csv: only this table (1-based).' })),
  include: Type.Optional(Type.Literal('words', { description: 'Every page also carries its words with boxes.' })),
});
export type ResultQuery = Static<typeof ResultQuery>;

export function presentationOptions(query: ResultQuery): { format?: ResultQuery['format']; table?: number; include?: 'words'[] } {
  return { format: query.format, table: query.table, include: query.include ? [query.include] : undefined };
}
