import { RawBody, RawJson, type StoredResultRef } from '../define.ts';
import type { Pool } from '../db/pool.ts';
import * as q from '../db/queries.ts';
import type { DocumentSpec } from './define.ts';
import type { OutputFormat } from '../formats/render.ts';
import type { CommonOptions } from './options.ts';
import { renderResult, formatFromAccept } from './render.ts';

// A result leaves the service as stored JSON (spliced, never re-serialised), or, when asked for,
// with its words, or rendered as text, markdown, HTML or CSV. Every form comes from the stored
// result: no format costs an engine call.

export interface Presentation {
  spec: DocumentSpec | undefined;
  json: string;
  stored?: StoredResultRef;
  body: Pick<CommonOptions, 'format' | 'table' | 'include'>;
  headers: Record<string, string>;
  ctx: { db: Pool; invocation: 'sync' | 'event' };
  /** The words when the caller has them at hand (a fresh result), else they are read when needed. */
  words?: string;
  /** How far Accept is followed: fully when reading a stored result, one explicit type on a submission. */
  accept?: 'negotiate' | 'explicit';
}

export async function presentResult(p: Presentation): Promise<RawJson | RawBody> {
  // A queued run's output is the stored result itself; formats apply when the job is read.
  if (p.ctx.invocation === 'event') return new RawJson(p.json, p.stored);
  const format: OutputFormat = p.body.format ?? formatFromAccept(p.headers.accept, p.accept ?? 'negotiate');
  const withWords = p.body.include?.includes('words') ?? false;
  if (format === 'json' && !withWords) return new RawJson(p.json, p.stored);

  const result = JSON.parse(p.json) as Record<string, unknown>;
  if (withWords) {
    const words = p.words ?? (p.stored ? (await p.ctx.db.query(q.findResultWords(p.stored.resultId))).rows[0]?.words : undefined);
    attachWords(result, words ? (JSON.parse(words) as PageWords[]) : []);
  }
  if (format === 'json') return new RawJson(JSON.stringify(result), p.stored);
  return renderResult(p.spec, result, format, { table: p.body.table });
}

interface PageWords {
  page: number;
  words: unknown[];
}

/** Words go on the pages a result already lists; a result without pages (expense, identity) gains them. */
function attachWords(result: Record<string, unknown>, words: PageWords[]): void {
  const byPage = new Map(words.map((w) => [w.page, w.words]));
  const pages = result.pages;
  if (Array.isArray(pages)) {
    for (const page of pages as { page: number; words?: unknown[] }[]) page.words = byPage.get(page.page) ?? [];
  } else {
    result.pages = words.map((w) => ({ page: w.page, words: w.words }));
  }
}
