// Shapes every OCR engine produces, so the OCR function can merge pages and store results
// without caring which engine ran.

export type Feature = 'TABLES' | 'FORMS' | 'SIGNATURES' | 'LAYOUT';
export const FEATURES: readonly Feature[] = ['TABLES', 'FORMS', 'SIGNATURES', 'LAYOUT'];

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

export interface KeyValue {
  key: string;
  value: string;
  confidence: number;
  page: number;
}

export interface Table {
  page: number;
  rows: string[][];
  confidence: number;
}

/** One recognised page. `page` is 1-based in the original document. */
export interface PageResult {
  page: number;
  width?: number;
  height?: number;
  lines: OcrLine[];
  keyValues: KeyValue[];
  tables: Table[];
}

/** One page ready for an engine: a single-page document in a format the engine accepts. */
export interface PageInput {
  page: number;
  kind: DocumentKind;
  bytes: Uint8Array;
}

export interface EngineCallOptions {
  features: Feature[];
  signal?: AbortSignal;
}

export interface OcrEngine {
  readonly name: 'textract' | 'tesseract';
  recognize(page: PageInput, options: EngineCallOptions): Promise<PageResult>;
  close(): Promise<void>;
}
