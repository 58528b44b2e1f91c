import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { identityDocument } from '../../../runtime/formats/identity-document.ts';
import { render } from '../../../runtime/formats/render.ts';
import { readMarkdown } from './read-markdown.ts';
import { storedIdentityResult } from './sample-results.ts';

describe('identityDocument', () => {
  const doc = identityDocument(storedIdentityResult());

  test('should give a type/value/normalizedValue/confidence CSV table', () => {
    assert.deepEqual(parse(render(doc, 'csv').body), [
      ['type', 'value', 'normalizedValue', 'confidence'],
      ['FIRST_NAME', 'JANE', '', '98.9'],
      ['LAST_NAME', "O'NEIL", '', '98.7'],
      ['DATE_OF_BIRTH', '3/4/1990', '1990-03-04T00:00:00', '97.3'],
      ['ADDRESS', '1 Elm St, Apt 2\nSpringfield', '', '95'],
      ['ENDORSEMENTS', '', '', '80'],
    ]);
  });

  test('should read as TYPE: value lines in text', () => {
    assert.equal(
      render(doc, 'text').body,
      "Identity document 1\n\nFIRST_NAME: JANE\nLAST_NAME: O'NEIL\nDATE_OF_BIRTH: 3/4/1990\nADDRESS: 1 Elm St, Apt 2\n  Springfield\nENDORSEMENTS: \n",
    );
  });

  test('should show the fields with their normalized value in markdown', () => {
    assert.deepEqual(readMarkdown(render(doc, 'markdown').body), [
      { type: 'heading', depth: 1, text: 'Identity document 1' },
      {
        type: 'table',
        header: ['Field', 'Value', 'Normalized value'],
        rows: [
          ['FIRST_NAME', 'JANE', ''],
          ['LAST_NAME', "O'NEIL", ''],
          ['DATE_OF_BIRTH', '3/4/1990', '1990-03-04T00:00:00'],
          ['ADDRESS', '1 Elm St, Apt 2\nSpringfield', ''],
          ['ENDORSEMENTS', '', ''],
        ],
      },
    ]);
  });
});
