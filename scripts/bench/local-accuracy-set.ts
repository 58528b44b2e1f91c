// The local engine's evaluation set: real documents with the Amazon Textract response for each
// (test/fixtures/local-ocr/README.md says where every file comes from).

import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PROJECT_ROOT } from '../../runtime/config.ts';
import { detectKind } from '../../runtime/documents/detect.ts';
import type { DocumentKind } from '../../runtime/engines/types.ts';
import { textractWords } from './word-match.ts';

export const EVALUATION_DIR = path.join(PROJECT_ROOT, 'test', 'fixtures', 'local-ocr');
const RESPONSE_SUFFIX = '.textract.json.gz';

export interface EvaluationDocument {
  name: string;
  kind: DocumentKind;
  bytes: Uint8Array;
  /** Every WORD Textract found, space-separated. */
  textractText: string;
}

export function loadEvaluationSet(only?: string[]): EvaluationDocument[] {
  return fs
    .readdirSync(EVALUATION_DIR)
    .filter((file) => file.endsWith(RESPONSE_SUFFIX))
    .map((file) => file.slice(0, -RESPONSE_SUFFIX.length))
    .filter((name) => !only || only.includes(name))
    .sort()
    .map((name) => {
      const bytes = fs.readFileSync(path.join(EVALUATION_DIR, name));
      const kind = detectKind(bytes);
      if (!kind) throw new Error(`${name}: not a PDF, PNG, JPEG or TIFF`);
      const response = JSON.parse(gunzipSync(fs.readFileSync(path.join(EVALUATION_DIR, name + RESPONSE_SUFFIX))).toString('utf8'));
      return { name, kind, bytes, textractText: textractWords(response) };
    });
}
