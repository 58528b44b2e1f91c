import type { List } from './model.ts';

// A layout list arrives as its printed lines; the items are recovered from their bullets or
// numbers, which the markdown or HTML list then prints in its own way.

/** A bullet glyph, or a number / single letter followed by "." or ")", then a space. */
const MARKER = /^\s*(?:([-*+•●○◦▪▫■□‣⁃–—·])|\(?(\d{1,3})[.)]|\(?([a-zA-Z])\))\s+/u;

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
