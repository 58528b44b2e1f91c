// Shapes every OCR engine produces, so the OCR function can merge pages and store results
// without caring which engine ran.

export type Feature = 'TABLES' | 'FORMS' | 'QUERIES' | 'SIGNATURES' | 'LAYOUT';
export const FEATURES: readonly Feature[] = ['TABLES', 'FORMS', 'QUERIES', 'SIGNATURES', 'LAYOUT'];

/** Kinds of document the service accepts, decided by magic bytes. */
export type DocumentKind = 'pdf' | 'png' | 'jpeg' | 'tiff';

/** Fractions of the page (0..1), as Textract returns them. */
export interface BBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface OcrLine {
  text: string;
  /** 0..100, as both Textract and tesseract report it. */
  confidence: number;
  bbox: BBox;
}

/** A single word, for searchable PDFs and `include=words`. */
export interface OcrWord {
  text: string;
  /** 0..100 */
  confidence: number;
  bbox: BBox;
}

export interface KeyValue {
  key: string;
  value: string;
  confidence: number;
  page: number;
  /** Where the key and value sit together, when the engine says. */
  bbox?: BBox;
}

export interface Table {
  page: number;
  rows: string[][];
  confidence: number;
  /** The table's outline, so output formats can place it among the lines in reading order. */
  bbox?: BBox;
}

/** A question for AnalyzeDocument QUERIES; `pages` as Textract takes it ("1", "2-3", "*"). */
export interface QueryInput {
  text: string;
  alias?: string;
  pages?: string[];
}

export interface QueryAnswer {
  text: string;
  confidence: number;
  page: number;
}

/** One asked question with every answer found for it (on any page), best first per page. */
export interface QueryResult {
  text: string;
  alias?: string;
  answers: QueryAnswer[];
}

export interface Signature {
  page: number;
  confidence: number;
  bbox: BBox;
}

/** Textract's LAYOUT_* block types, lower case without the prefix. */
export type LayoutType =
  | 'title'
  | 'section_header'
  | 'header'
  | 'footer'
  | 'page_number'
  | 'text'
  | 'list'
  | 'table'
  | 'figure'
  | 'key_value';

export interface LayoutItem {
  page: number;
  type: LayoutType;
  /** The text of the lines the layout block holds, "\n" between lines; "" for a figure without text. */
  text: string;
  bbox: BBox;
}

/** One recognised page. `page` is 1-based in the original document. */
export interface PageResult {
  page: number;
  width?: number;
  height?: number;
  lines: OcrLine[];
  /** Every word with its box, in reading order (stored apart from the result; see include=words). */
  words: OcrWord[];
  keyValues: KeyValue[];
  tables: Table[];
  /** QUERIES: each asked question once, answers found on this page. */
  queries?: QueryResult[];
  /** SIGNATURES */
  signatures?: Signature[];
  /** LAYOUT, in reading order. */
  layout?: LayoutItem[];
}

/** One page ready for an engine: a single-page document in a format the engine accepts. */
export interface PageInput {
  page: number;
  kind: DocumentKind;
  bytes: Uint8Array;
}

export interface EngineCallOptions {
  features: Feature[];
  /** With QUERIES. */
  queries?: QueryInput[];
  signal?: AbortSignal;
}

export interface OcrEngine {
  readonly name: 'textract' | 'tesseract' | 'paddle';
  recognize(page: PageInput, options: EngineCallOptions): Promise<PageResult>;
  close(): Promise<void>;
}

// ---- AnalyzeExpense and AnalyzeID (API.md "v1.1 additions") ----------------------------------

export interface ExpenseField {
  /** Textract's Type.Text, e.g. TOTAL, VENDOR_NAME, ITEM, PRICE; OTHER when Textract has no type. */
  type: string;
  /** LabelDetection.Text: the label as printed, when there is one. */
  label?: string;
  /** ValueDetection.Text; multi-line values keep their "\n". */
  value: string;
  confidence: number;
  /** 1-based page of the original document. */
  page: number;
  currency?: string;
  groups?: { id: string; types: string[] }[];
}

export interface ExpenseLineItem {
  fields: ExpenseField[];
}

export interface ExpenseLineItemGroup {
  index: number;
  items: ExpenseLineItem[];
}

export interface ExpenseDocument {
  /** Textract's ExpenseIndex, renumbered from 1 across the pages of the document. */
  index: number;
  summary: ExpenseField[];
  lineItemGroups: ExpenseLineItemGroup[];
}

export interface IdentityField {
  /** Type.Text, e.g. FIRST_NAME, DATE_OF_BIRTH, DOCUMENT_NUMBER, ID_TYPE. */
  type: string;
  value: string;
  /** ValueDetection.NormalizedValue.Value (dates as ISO-8601). */
  normalizedValue?: string;
  /** ValueDetection.NormalizedValue.ValueType, e.g. Date. */
  valueType?: string;
  confidence: number;
}

export interface IdentityDocument {
  /** Textract's DocumentIndex. */
  index: number;
  fields: IdentityField[];
}
