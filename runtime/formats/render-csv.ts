import { stringify } from 'csv-stringify/sync';
import { httpError } from '../errors.ts';
import type { OutputDocument } from './model.ts';

/**
 * RFC 4180 CSV (CRLF records, quotes doubled) of the result's tables, one after another with an
 * empty line between them, or only table `table` (1-based). A result without tables gives an
 * empty body: there is nothing to put in a spreadsheet, which is not an error.
 */
export function renderCsv(doc: OutputDocument, table?: number): string {
  const tables = doc.csvTables;
  if (table === undefined) return tables.filter((rows) => rows.length > 0).map(csv).join('\r\n');
  if (!Number.isInteger(table) || table < 1 || table > tables.length) {
    const count = tables.length === 0 ? 'has no tables' : tables.length === 1 ? 'has 1 table' : `has ${tables.length} tables`;
    throw httpError('NOT_FOUND', `There is no table ${table}: the result ${count}.`);
  }
  return csv(tables[table - 1]);
}

function csv(rows: string[][]): string {
  return stringify(rows, {
    record_delimiter: 'windows',
    // The library quotes a field holding the record delimiter (CRLF) but not a lone "\n" or "\r";
    // RFC 4180 needs any line break quoted, or a two-line cell splits its row.
    quoted_match: /[\r\n]/,
    // An empty cell is written "" rather than nothing, so a row of one empty cell is not an empty
    // line, which would read as the gap between two tables.
    quoted_empty: true,
  });
}
