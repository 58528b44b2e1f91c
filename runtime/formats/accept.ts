import type { OutputFormat } from './render.ts';

// Content negotiation (RFC 9110 §12.5.1) over the formats a stored result can be served in.

/** The media types each format answers to, in the service's order of preference. */
const OFFERS: readonly { format: OutputFormat; types: readonly string[] }[] = [
  { format: 'json', types: ['application/json'] },
  { format: 'text', types: ['text/plain'] },
  { format: 'markdown', types: ['text/markdown', 'text/x-markdown'] },
  { format: 'html', types: ['text/html'] },
  { format: 'csv', types: ['text/csv'] },
];

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

/**
 * The format an `Accept` header asks for: the highest quality value wins; on a tie, the format
 * the client named more precisely (`text/csv` over a wildcard), then the service's order, JSON
 * first. No header (or an empty one) means JSON, the default. Null when the header accepts none
 * of the formats (`image/png`, or everything at q=0): the caller answers 406 or its default.
 */
export function formatFromAccept(accept: string | undefined): OutputFormat | null {
  if (accept === undefined || accept.trim() === '') return 'json';
  const ranges = parseAccept(accept);
  let best: { format: OutputFormat; q: number; specificity: number } | null = null;
  for (const offer of OFFERS) {
    for (const type of offer.types) {
      const match = bestRangeFor(type, ranges);
      if (match === null || match.q === 0) continue;
      if (best === null || match.q > best.q || (match.q === best.q && match.specificity > best.specificity)) {
        best = { format: offer.format, q: match.q, specificity: match.specificity };
      }
    }
  }
  return best?.format ?? null;
}

/** The most specific range naming `mediaType` decides its quality, so `text/*;q=0, text/csv` accepts CSV. */
function bestRangeFor(mediaType: string, ranges: readonly MediaRange[]): { q: number; specificity: number } | null {
  const [type, subtype] = mediaType.split('/');
  let found: { q: number; specificity: number } | null = null;
  for (const range of ranges) {
    const specificity =
      range.type === type && range.subtype === subtype ? 3
      : range.type === type && range.subtype === '*' ? 2
      : range.type === '*' && range.subtype === '*' ? 1
      : 0;
    if (specificity > 0 && (found === null || specificity > found.specificity)) found = { q: range.q, specificity };
  }
  return found;
}

/** Malformed entries (no "/", a q that is not a number in 0..1) are skipped, not fatal. */
function parseAccept(accept: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const entry of accept.split(',')) {
    const [mediaRange, ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    const slash = mediaRange.indexOf('/');
    if (slash <= 0 || slash === mediaRange.length - 1) continue;
    let q = 1;
    for (const param of params) {
      const [name, value] = param.split('=').map((part) => part.trim());
      if (name === 'q') q = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(value ?? '') ? Number(value) : Number.NaN;
    }
    if (Number.isNaN(q)) continue;
    ranges.push({ type: mediaRange.slice(0, slash), subtype: mediaRange.slice(slash + 1), q });
  }
  return ranges;
}
