import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { HttpError } from '../../../runtime/errors.ts';
import type { OutputDocument } from '../../../runtime/formats/model.ts';
import { ocrDocument } from '../../../runtime/formats/ocr-document.ts';
import { render } from '../../../runtime/formats/render.ts';
import { storedOcrResult, textractPage } from './sample-results.ts';

/**
 * Any line break outside quotes ends a record, as in spreadsheets; csv-parse would otherwise
 * settle on the first one it meets (CRLF) and let a bare "\n" pass inside an unquoted field.
 */
const AS_SPREADSHEETS_READ = { record_delimiter: ['\r\n', '\n', '\r'] };

/**
 * Parses the body with a real CSV parser and splits it into tables at the empty lines between
 * them (an empty line only: a row of one empty cell reads `""`).
 */
function readCsvTables(body: string): string[][][] {
  const records = parse(body, { ...AS_SPREADSHEETS_READ, raw: true, relax_column_count: true, skip_empty_lines: false }) as unknown as { raw: string; record: string[] }[];
  const tables: string[][][] = [[]];
  for (const { raw, record } of records) {
    if (raw.trim() === '') tables.push([]);
    else tables[tables.length - 1].push(record);
  }
  return tables.filter((t) => t.length > 0);
}

const csvOf = (csvTables: string[][][], table?: number): string => render({ blocks: [], csvTables } satisfies OutputDocument, 'csv', { table }).body;

const EMPLOYMENT_HISTORY = [
  ['Start Date', 'End Date', 'Employer Name', 'Position Held', 'Reason for leaving'],
  ['1/15/2009', '6/30/2011', 'Any Company', 'Assistant baker', 'relocated'],
  ['7/1/2011', '8/10/2013', 'Example Corp.', 'Baker', 'better opp.'],
  ['8/15/2013', 'Present', 'AnyCompany', 'head baker', 'N/A, current'],
];
const TEXTRACTOR_CELLS = [
  ['Cell 1', 'Cell 2', '', 'Cell 4', 'Cell 5'],
  ['Cell 6', 'Cell 7', 'Cell 8', 'Cell 9', 'Cell 10'],
  ['Cell 11', 'Cell 12', 'Cell 13', 'Cell 14', 'Cell 15'],
];

describe('CSV of a result', () => {
  const result = storedOcrResult([textractPage('test_table.json', 1), textractPage('test-response.json', 2)], ['TABLES', 'FORMS']);

  test('should give every table of a real result, in the JSON order, apart by an empty line', () => {
    const { body, contentType } = render(ocrDocument(result), 'csv');

    assert.equal(contentType, 'text/csv; charset=utf-8');
    assert.deepEqual(readCsvTables(body), [TEXTRACTOR_CELLS, EMPLOYMENT_HISTORY]);
    assert.ok(body.includes('\r\n\r\n'), 'an empty line between the tables');
    assert.ok(body.includes('"N/A, current"'), 'a comma inside a cell is quoted');
  });

  test('should give only table N, counted from 1', () => {
    assert.deepEqual(readCsvTables(render(ocrDocument(result), 'csv', { table: 2 }).body), [EMPLOYMENT_HISTORY]);
    assert.deepEqual(readCsvTables(render(ocrDocument(result), 'csv', { table: 1 }).body), [TEXTRACTOR_CELLS]);
  });

  test('should refuse a table number the result does not have with a 404 that says how many there are', () => {
    for (const table of [0, 3, 1.5]) {
      assert.throws(
        () => render(ocrDocument(result), 'csv', { table }),
        (err: unknown) => err instanceof HttpError && err.status === 404 && err.code === 'NOT_FOUND' && err.message.includes('2 tables'),
        `table=${table}`,
      );
    }
  });

  test('should give an empty body for a result without tables, and a 404 for any table number', () => {
    const noTables = ocrDocument(storedOcrResult([textractPage('test_detect_document_text.json', 1)], []));

    assert.equal(render(noTables, 'csv').body, '');
    assert.throws(() => render(noTables, 'csv', { table: 1 }), (err: unknown) => err instanceof HttpError && err.status === 404 && /no tables/.test(err.message));
  });
});

describe('renderCsv', () => {
  test('should round-trip quotes, commas, line breaks of every kind and empty cells exactly', () => {
    const tables = [
      [
        ['He said "hi"', 'a,b', ''],
        ['line one\nline two', 'crlf\r\ninside', 'lone\rreturn'],
        ['', '', ''],
        ['  padded  ', '"', ',,'],
      ],
      [['only'], [''], ['=1+2']],
    ];

    assert.deepEqual(readCsvTables(csvOf(tables)), tables);
    assert.deepEqual(readCsvTables(csvOf(tables, 2)), [tables[1]]);
  });

  test('should end records with CRLF as RFC 4180 asks', () => {
    assert.equal(csvOf([[['a', 'b'], ['c', 'd']]]), 'a,b\r\nc,d\r\n');
  });

  test('should pad a ragged stored table so every row has the same number of fields', () => {
    const result = storedOcrResult([{ page: 1, lines: [], words: [], keyValues: [], tables: [{ page: 1, rows: [['a', 'b', 'c'], ['d'], []], confidence: 90 }] }], ['TABLES']);

    const records = parse(render(ocrDocument(result), 'csv').body, AS_SPREADSHEETS_READ) as string[][];
    assert.deepEqual(records, [['a', 'b', 'c'], ['d', '', ''], ['', '', '']]);
  });
});
