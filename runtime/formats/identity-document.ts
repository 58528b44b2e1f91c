import type { IdentityField } from '../engines/types.ts';
import type { Block, Fields, OutputDocument } from './model.ts';
import type { IdentityResultJson } from './result-types.ts';

/**
 * Each identity document (a licence, a passport; front and back are one) as its fields. The
 * normalized value (an ISO date) is shown beside the printed one only where it says something new.
 */
export function identityDocument(result: IdentityResultJson): OutputDocument {
  const blocks: Block[] = [];
  const csvTables: string[][][] = [];
  for (const document of result.identityDocuments) {
    blocks.push({ kind: 'heading', level: 1, text: `Identity document ${document.index}` });
    if (document.fields.length > 0) blocks.push(identityFields(document.fields));
    csvTables.push([
      ['type', 'value', 'normalizedValue', 'confidence'],
      ...document.fields.map((f) => [f.type, f.value, f.normalizedValue ?? '', String(f.confidence)]),
    ]);
  }
  return { title: result.filename ?? undefined, blocks, csvTables };
}

function identityFields(fields: readonly IdentityField[]): Fields {
  const differs = (f: IdentityField): boolean => f.normalizedValue !== undefined && f.normalizedValue !== f.value;
  const normalized = fields.some(differs);
  return {
    kind: 'fields',
    headers: normalized ? ['Field', 'Value', 'Normalized value'] : ['Field', 'Value'],
    fields: fields.map((f) => ({ name: f.type, value: f.value, note: normalized ? (differs(f) ? f.normalizedValue : '') : undefined })),
  };
}
