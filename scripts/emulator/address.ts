// US postal addresses as printed on receipts and ID cards, split the way Textract types them.
import type { Word } from './layout.ts';

/**
 * "100 Main St, Springfield, IL 62701" → street, city, state and ZIP code, each with its own words
 * (commas separate the parts; the last part holds the state and ZIP code).
 */
export function addressParts(words: readonly Word[]): [string, Word[]][] {
  const parts: Word[][] = [[]];
  for (const word of words) {
    parts[parts.length - 1].push(word);
    if (word.text.endsWith(',')) parts.push([]);
  }
  if (parts[parts.length - 1].length === 0) parts.pop();
  if (parts.length < 2) return [];
  const last = parts[parts.length - 1];
  const stateAt = last.findIndex((w) => /^[A-Z]{2},?$/.test(w.text));
  const zipAt = last.findIndex((w) => /^\d{5}(-\d{4})?,?$/.test(w.text));
  const cityEnd = [stateAt, zipAt].filter((i) => i >= 0).reduce((a, b) => Math.min(a, b), last.length);
  const city = parts.length >= 3 ? parts[parts.length - 2] : last.slice(0, cityEnd);
  const out: [string, Word[]][] = [['STREET', parts.length >= 3 ? parts.slice(0, -2).flat() : parts[0]], ['CITY', city]];
  if (stateAt >= 0) out.push(['STATE', [last[stateAt]]]);
  if (zipAt >= 0) out.push(['ZIP_CODE', [last[zipAt]]]);
  return out.filter(([, ws]) => ws.length > 0);
}
