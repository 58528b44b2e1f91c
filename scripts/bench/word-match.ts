// The accuracy measure of issue 13: the words an engine found against the words Amazon Textract
// found in the same file, as multisets of lower-cased alphanumeric words. Punctuation is not
// scored: "Total:" and "total" are the same word, "$1,234.56" is the words 1, 234 and 56.

export interface WordMatch {
  /** Words Textract found. */
  expected: number;
  /** Words the engine found. */
  found: number;
  /** Words in both, counted with multiplicity. */
  matched: number;
  recall: number;
  precision: number;
}

export function alphanumericWords(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function counts(words: string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const word of words) map.set(word, (map.get(word) ?? 0) + 1);
  return map;
}

export function matchWords(expectedText: string, foundText: string): WordMatch {
  const expected = alphanumericWords(expectedText);
  const found = alphanumericWords(foundText);
  const want = counts(expected);
  let matched = 0;
  for (const [word, n] of counts(found)) matched += Math.min(n, want.get(word) ?? 0);
  return {
    expected: expected.length,
    found: found.length,
    matched,
    recall: expected.length === 0 ? 1 : matched / expected.length,
    precision: found.length === 0 ? (expected.length === 0 ? 1 : 0) : matched / found.length,
  };
}

/** Totals over several documents: every word counts once, whichever document it is in. */
export function sumMatches(matches: WordMatch[]): WordMatch {
  const expected = matches.reduce((s, m) => s + m.expected, 0);
  const found = matches.reduce((s, m) => s + m.found, 0);
  const matched = matches.reduce((s, m) => s + m.matched, 0);
  return { expected, found, matched, recall: expected ? matched / expected : 1, precision: found ? matched / found : 0 };
}

/** The text of every WORD block of a Textract response (any API that returns Blocks), page by page. */
export function textractWords(response: { Blocks?: { BlockType?: string; Text?: string; Page?: number }[] }): string {
  return (response.Blocks ?? [])
    .filter((b) => b.BlockType === 'WORD' && b.Text)
    .map((b) => b.Text)
    .join(' ');
}
