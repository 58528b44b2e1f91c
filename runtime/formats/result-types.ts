import type {
  ExpenseDocument,
  IdentityDocument,
  KeyValue,
  LayoutItem,
  OcrLine,
  QueryResult,
  Signature,
  Table,
} from '../engines/types.ts';

// The parsed JSON of stored results (API.md "Shapes"), as far as the output formats read it.
// Optional fields are the features a request may not have asked for; results stored before a
// feature existed simply lack it.

interface ResultHeadJson {
  documentId: string;
  filename?: string | null;
}

export interface OcrPageJson {
  page: number;
  width?: number;
  height?: number;
  lines: OcrLine[];
}

export interface OcrResultJson extends ResultHeadJson {
  /** All lines in reading order, "\n" between lines and "\f" between pages. */
  text: string;
  pages: OcrPageJson[];
  keyValues?: KeyValue[];
  tables?: Table[];
  queries?: QueryResult[];
  signatures?: Signature[];
  layout?: LayoutItem[];
}

export interface ExpenseResultJson extends ResultHeadJson {
  expenses: ExpenseDocument[];
}

export interface IdentityResultJson extends ResultHeadJson {
  identityDocuments: IdentityDocument[];
}
