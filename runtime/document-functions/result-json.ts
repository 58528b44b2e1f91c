import type { PageResult } from '../engines/types.ts';

// A stored result is JSON text; responses are assembled around it by string splicing so a
// cache hit never parses the (possibly large) payload.

/** The fields every document function's result starts with (API.md), plus the function's own head fields. */
export interface ResultHead {
  documentId: string;
  sha256: string;
  filename: string | null;
  contentType: string;
  bytes: number;
  pageCount: number;
  engine: string;
  cached: boolean;
  durationMs: number;
  [field: string]: unknown;
}

/** Every page's words, [{page, words}], for the searchable PDF and include=words. */
export function wordsJson(outputs: readonly { pages: readonly PageResult[] }[]): string {
  return JSON.stringify(outputs.flatMap((o) => o.pages.map((p) => ({ page: p.page, words: p.words ?? [] }))));
}

export function resultJson(head: ResultHead, payload: string, createdAt: Date | string): string {
  const headJson = JSON.stringify(head);
  const created = JSON.stringify(createdAt instanceof Date ? createdAt.toISOString() : new Date(createdAt).toISOString());
  // headJson is "{...}" and payload is "{...}": join their insides.
  const fields = payload.slice(1, -1).trim();
  return `${headJson.slice(0, -1)}${fields ? `,${fields}` : ''},"createdAt":${created}}`;
}
