import Type, { type Static, type TObject } from 'typebox';

// Options every document function takes, whatever its own are: they steer the runtime (which
// pages, which output, where to call back), never the engine call's meaning.

import { OUTPUT_FORMATS } from '../formats/render.ts';

// "1-3,7": page numbers and ranges, 1-based, as docling-serve and Textract write them.
const PAGE_RANGES = '^\\s*[0-9]+(\\s*-\\s*[0-9]+)?(\\s*,\\s*[0-9]+(\\s*-\\s*[0-9]+)?)*\\s*$';

const commonProperties = {
  filename: Type.Optional(Type.String({ maxLength: 255 })),
  callbackUrl: Type.Optional(Type.String({ format: 'uri', maxLength: 2048, description: 'Queued invocations: where the final Job is POSTed.' })),
  pages: Type.Optional(
    Type.String({ maxLength: 200, pattern: PAGE_RANGES, description: 'Pages to process, e.g. "1-3,7": only those are sent and billed.' }),
  ),
  format: Type.Optional(
    Type.Union(
      OUTPUT_FORMATS.map((f) => Type.Literal(f)),
      { description: 'Answer as json (default), text, markdown, html or csv (tables); Accept works too.' },
    ),
  ),
  table: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'With format=csv: only this table (1-based).' })),
  include: Type.Optional(
    Type.Array(Type.Union([Type.Literal('words')]), { maxItems: 4, description: '"words": every page also carries its words with boxes.' }),
  ),
};

export const CommonOptions = Type.Object(commonProperties, { additionalProperties: false });
export type CommonOptions = Static<typeof CommonOptions>;

export const COMMON_OPTION_NAMES: ReadonlySet<string> = new Set(Object.keys(commonProperties));

/** The body schema of a document function: the runtime's options beside the function's own. */
export function documentOptionsSchema(own: TObject): TObject {
  for (const name of Object.keys(own.properties)) {
    if (COMMON_OPTION_NAMES.has(name)) throw new Error(`option "${name}" is the runtime's; a function cannot redefine it`);
  }
  return Type.Object({ ...commonProperties, ...own.properties }, { additionalProperties: false });
}

/** The function's own options out of a validated body. */
export function ownOptions<O>(body: Record<string, unknown>): O {
  const own: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) if (!COMMON_OPTION_NAMES.has(name)) own[name] = value;
  return own as O;
}
