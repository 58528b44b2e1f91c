import type { KeyValue, PageResult, Table } from '../engines/types.ts';

// A stored result is JSON text; responses are assembled around it by string splicing so a
// cache hit never parses the (possibly large) payload.

export interface ResultHead {
  documentId: string;
  sha256: string;
  filename: string | null;
  contentType: string;
  bytes: number;
  pageCount: number;
  engine: string;
  features: string[];
  cached: boolean;
  durationMs: number;
}

/** {text, pages, keyValues?, tables?} for pages in document order. */
export function mergePages(pages: PageResult[], features: string[]): string {
  // A form feed between pages lets clients split the text back into pages.
  const text = pages.map((p) => p.lines.map((l) => l.text).join('\n')).join('\f');
  const body: { text: string; pages: unknown[]; keyValues?: KeyValue[]; tables?: Table[] } = {
    text,
    pages: pages.map((p) => ({ page: p.page, width: p.width, height: p.height, lines: p.lines })),
  };
  if (features.includes('FORMS')) body.keyValues = pages.flatMap((p) => p.keyValues);
  if (features.includes('TABLES')) body.tables = pages.flatMap((p) => p.tables);
  return JSON.stringify(body);
}

export function resultJson(head: ResultHead, payload: string, createdAt: Date | string): string {
  const headJson = JSON.stringify(head);
  const created = JSON.stringify(createdAt instanceof Date ? createdAt.toISOString() : new Date(createdAt).toISOString());
  // headJson is "{...}" and payload is "{...}": join their insides.
  return `${headJson.slice(0, -1)},${payload.slice(1, -1)},"createdAt":${created}}`;
}
