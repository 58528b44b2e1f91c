import { httpError } from '../errors.ts';

// `pages=1-3,7`: which pages of a document to process. The text is read before the document
// (it is part of the cache key); it is checked against the page count once that is known.

/** Inclusive, ascending, non-overlapping, non-adjacent ranges. */
export type PageRanges = readonly (readonly [number, number])[];

/** Canonical ranges of the text, or null when every page is wanted. Never expands a range, so "1-999999999" costs nothing. */
export function parsePageRanges(text: string | undefined): PageRanges | null {
  if (text === undefined || text.trim() === '') return null;
  const ranges: [number, number][] = [];
  for (const part of text.split(',')) {
    const [fromText, toText] = part.split('-').map((s) => s.trim());
    const from = Number(fromText);
    const to = toText === undefined ? from : Number(toText);
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 1 || to < from) {
      throw invalid(`"${part.trim()}" is not a page or an ascending range of pages`);
    }
    ranges.push([from, to]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [from, to] of ranges) {
    const last = merged[merged.length - 1];
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

/** "1-3,7": the canonical text, part of the cache key. */
export function pageRangesKey(ranges: PageRanges): string {
  return ranges.map(([from, to]) => (from === to ? String(from) : `${from}-${to}`)).join(',');
}

/**
 * The selected page numbers, or null when the ranges cover the whole document. A page past the
 * end is the client's mistake (400), not something to skip quietly: they would get less than
 * they asked for.
 */
export function selectPages(ranges: PageRanges | null, pageCount: number): number[] | null {
  if (!ranges) return null;
  const last = ranges[ranges.length - 1]![1];
  if (last > pageCount) {
    throw invalid(`the document has ${pageCount} page${pageCount === 1 ? '' : 's'}; page ${last} is past its end`);
  }
  const pages: number[] = [];
  for (const [from, to] of ranges) for (let p = from; p <= to; p++) pages.push(p);
  return pages.length === pageCount ? null : pages;
}

function invalid(message: string) {
  return httpError('VALIDATION_FAILED', `pages: ${message}.`, { issues: [{ path: 'body.pages', message }] });
}
