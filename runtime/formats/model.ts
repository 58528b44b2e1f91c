// The document model every output format renders from. Builders turn one kind of stored result
// (OCR, expense, identity) into it; renderers never see a result, so a function only has to
// declare its builder for the runtime to serve every format.

export interface Heading {
  kind: 'heading';
  /** 1 for a document title, 2 for a section. */
  level: 1 | 2 | 3;
  text: string;
}

export interface Paragraph {
  kind: 'paragraph';
  /** Printed lines joined by "\n"; renderers keep them as soft line breaks. */
  text: string;
  /** A remark of ours rather than recognised text (e.g. "Signature"), set apart visually. */
  emphasis?: boolean;
}

export interface List {
  kind: 'list';
  ordered: boolean;
  /** First number of an ordered list, when the printed list does not start at 1. */
  start?: number;
  items: string[];
}

export interface TableBlock {
  kind: 'table';
  /** Rectangular: every row has the same number of cells (see `tableBlock`). */
  rows: string[][];
  /** The first row holds column headers. */
  header: boolean;
}

/** Named values (form fields, expense or identity fields): a two- or three-column table. */
export interface Fields {
  kind: 'fields';
  /** Column titles: name, value and, when any field has one, the note. */
  headers: [string, string] | [string, string, string];
  fields: { name: string; value: string; note?: string }[];
}

/** Start of the next page of a multi-page result. */
export interface PageBreak {
  kind: 'page-break';
  page: number;
}

export type Block = Heading | Paragraph | List | TableBlock | Fields | PageBreak;

export interface OutputDocument {
  /** For the HTML <title>: the file name when the result has one. */
  title?: string;
  blocks: Block[];
  /**
   * The result's own plain text, when it has one (OCR results): format=text serves it unchanged,
   * since that is the text clients already read from the JSON.
   */
  text?: string;
  /**
   * The tables format=csv gives, in the order `table=N` numbers them. Kept apart from `blocks`
   * because their order and shape follow the JSON (tables[N-1], expense line items first), not
   * the reading order.
   */
  csvTables: string[][][];
}

/** Turns one kind of parsed stored result into the model; a function declares its builder. */
export type DocumentBuilder<Result> = (result: Result) => OutputDocument;

/**
 * Pads rows to the widest one. Pipe tables drop cells beyond the header's width and spreadsheets
 * shift columns on short rows, so a stored ragged table (an older result, the local engine)
 * must not reach a renderer ragged.
 */
export function rectangular(rows: readonly (readonly string[])[]): string[][] {
  const width = Math.max(0, ...rows.map((row) => row.length));
  return rows.map((row) => Array.from({ length: width }, (_, i) => row[i] ?? ''));
}

export function tableBlock(rows: readonly (readonly string[])[], header: boolean): TableBlock {
  return { kind: 'table', rows: rectangular(rows), header };
}
