import type { List } from './model.ts';

// A layout list arrives as its printed lines; the items are recovered from their bullets or
// numbers, which the markdown or HTML list then prints in its own way.

/**
 * A bullet glyph (- * + • ● ○ ◦ ▪ ▫ ■ □ ‣ ⁃ – — ·), or a number / single letter followed by "." or
 * ")", then a space. The glyphs MUST stay escaped: esbuild keeps a regular expression's characters
 * as they are, and one character above U+00FF in a bundle chunk makes V8 hold that chunk's whole
 * source as two bytes per character in every worker (test/runtime/build.test.ts).
 */
const MARKER = /^\s*(?:([-*+\u2022\u25CF\u25CB\u25E6\u25AA\u25AB\u25A0\u25A1\u2023\u2043\u2013\u2014\u00B7])|\(?(\d{1,3})[.)]|\(?([a-zA-Z])\))\s+/u;

export function listFromLines(text: string): List {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const marked = lines.map((line) => ({ line, match: MARKER.exec(line) }));
  if (!marked.some((m) => m.match !== null)) {
    // No markers at all: each printed line is one item, the best guess without wrap information.
    return { kind: 'list', ordered: false, items: lines };
  }

  // A line without a marker continues the item above it (a wrapped item).
  const items: { text: string; number?: number }[] = [];
  for (const { line, match } of marked) {
    if (match === null && items.length > 0) {
      items[items.length - 1].text += ` ${line}`;
    } else {
      items.push({ text: match === null ? line : line.slice(match[0].length), number: match?.[2] === undefined ? undefined : Number(match[2]) });
    }
  }
  const ordered = items.every((item) => item.number !== undefined);
  const list: List = { kind: 'list', ordered, items: items.map((item) => item.text) };
  if (ordered && items[0].number !== 1) list.start = items[0].number;
  return list;
}
