import { AnalyzeIDCommand, type AnalyzeIDCommandOutput } from '@aws-sdk/client-textract';
import Type from 'typebox';
import { defineDocumentFunction } from '../runtime/document-functions/define.ts';
import { sendTextract } from '../runtime/engines/textract.ts';
import { documentInput } from '../runtime/engines/textract-body.ts';
import { normalizeIdentity } from '../runtime/engines/textract-identity.ts';
import type { IdentityDocument } from '../runtime/engines/types.ts';
import { identityDocument } from '../runtime/formats/identity-document.ts';
import type { IdentityResultJson } from '../runtime/formats/result-types.ts';
import { resultHead } from '../schemas/common.ts';

// Driver's licences and passports: Textract's AnalyzeID on one or two pages (front and back), sent
// together in one call.

export const IdentityResult = Type.Object(
  {
    ...resultHead,
    identityDocuments: Type.Array(
      Type.Object(
        {
          index: Type.Integer(),
          fields: Type.Array(
            Type.Object(
              {
                type: Type.String({ description: 'e.g. FIRST_NAME, LAST_NAME, DATE_OF_BIRTH, DOCUMENT_NUMBER, EXPIRATION_DATE, ID_TYPE.' }),
                value: Type.String({ description: 'As printed; empty when the document has no such field.' }),
                normalizedValue: Type.Optional(Type.String({ description: 'Dates as ISO-8601.' })),
                valueType: Type.Optional(Type.String({ description: 'e.g. Date.' })),
                confidence: Type.Number({ description: '0..100' }),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export default defineDocumentFunction({
  name: 'identity',
  path: '/identity',
  summary: "Identity documents (Textract AnalyzeID): a driver's licence or passport, front and back as one or two pages.",
  options: Type.Object({}, { additionalProperties: false }),
  result: IdentityResult,
  cacheKey: () => '',
  pagesPerCall: 2,
  maxPages: 2,
  textract: {
    operations: ['AnalyzeID'],
    operation: () => 'AnalyzeID',
    async call(client, pages, _options, ctx) {
      const numbers = pages.map((p) => p.page);
      const output = await sendTextract<AnalyzeIDCommandOutput>(client, new AnalyzeIDCommand({ DocumentPages: pages.map((p) => documentInput(p.bytes)) }), {
        signal: ctx.signal,
        pages: numbers,
      });
      const { identityDocuments, pages: text } = normalizeIdentity(output, numbers);
      return { pages: text, data: identityDocuments };
    },
  },
  merge: (outputs) => ({ identityDocuments: outputs.flatMap((o) => (o.data as IdentityDocument[] | undefined) ?? []) }),
  document: (result) => identityDocument(result as unknown as IdentityResultJson),
});
