// The emulator's model of one page of text, before it becomes Textract Blocks. Coordinates are
// fractions of the page, top-left origin, like Textract's BoundingBox.

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Word {
  text: string;
  box: Box;
  confidence: number;
}

export interface Line {
  /** Usually the words joined by one space; a DTAT-LABEL line keeps its exact text. */
  text: string;
  words: Word[];
  box: Box;
  confidence: number;
}

export interface TableCell {
  row: number;
  column: number;
  box: Box;
  words: Word[];
}

export interface Table {
  box: Box;
  cells: TableCell[];
}

export interface KeyValue {
  keyWords: Word[];
  valueWords: Word[];
}

export interface PageLayout {
  /** In reading order. */
  lines: Line[];
  table: Table | null;
  keyValues: KeyValue[];
  /** Where the page shows pictures (known for PDFs only). */
  figures: Box[];
}

export function union(boxes: readonly Box[]): Box {
  let left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity;
  for (const b of boxes) {
    left = Math.min(left, b.left);
    top = Math.min(top, b.top);
    right = Math.max(right, b.left + b.width);
    bottom = Math.max(bottom, b.top + b.height);
  }
  if (left === Infinity) return { left: 0, top: 0, width: 0, height: 0 };
  return { left, top, width: right - left, height: bottom - top };
}

/**
 * Groups lines into visual rows (a line joins a row when its vertical centre falls inside the row's
 * first line) and reads rows top to bottom, each left to right.
 */
export function toRows(lines: readonly Line[]): Line[][] {
  const sorted = [...lines].sort((a, b) => a.box.top - b.box.top || a.box.left - b.box.left);
  const rows: Line[][] = [];
  let anchor: Box | null = null;
  for (const line of sorted) {
    const centre = line.box.top + line.box.height / 2;
    if (anchor && centre >= anchor.top && centre <= anchor.top + anchor.height) {
      rows[rows.length - 1].push(line);
    } else {
      rows.push([line]);
      anchor = line.box;
    }
  }
  for (const row of rows) row.sort((a, b) => a.box.left - b.box.left);
  return rows;
}

/** A row of two lines whose first ends in a colon: a form's label and its value set apart. */
function isLabelRow(row: readonly Line[]): boolean {
  return row.length === 2 && row[0].text.length > 1 && row[0].text.endsWith(':');
}

/**
 * The longest run of at least two consecutive rows that each hold the same number (two or more) of
 * separate lines: text set in columns, which is what a table looks like without its rules. Rows of
 * `Label:` and value are a form, not a table, and break a run.
 */
export function findTable(rows: readonly Line[][]): Table | null {
  let best: { start: number; length: number } | null = null;
  for (let start = 0; start < rows.length;) {
    const columns = rows[start].length;
    let end = start + 1;
    if (!isLabelRow(rows[start])) while (end < rows.length && rows[end].length === columns && !isLabelRow(rows[end])) end++;
    const length = end - start;
    if (columns >= 2 && length >= 2 && (!best || length > best.length)) best = { start, length };
    start = end;
  }
  if (!best) return null;
  const run = rows.slice(best.start, best.start + best.length);
  const columnBoxes = run[0].map((_, c) => union(run.map((row) => row[c].box)));
  const cells: TableCell[] = [];
  run.forEach((row, r) => {
    const rowBox = union(row.map((line) => line.box));
    row.forEach((line, c) => {
      const col = columnBoxes[c];
      cells.push({
        row: r + 1,
        column: c + 1,
        box: { left: col.left, top: rowBox.top, width: col.width, height: rowBox.height },
        words: line.words,
      });
    });
  });
  return { box: union(cells.map((cell) => cell.box)), cells };
}

/**
 * `Key: Value` lines (the key is every word up to the first one ending in a colon), and rows where
 * a `Key:` line has its value set apart as a second line, in reading order.
 */
export function findKeyValues(rows: readonly Line[][]): KeyValue[] {
  const pairs: KeyValue[] = [];
  for (const row of rows) {
    if (isLabelRow(row) && row[0].words.length <= 6) {
      pairs.push({ keyWords: row[0].words, valueWords: row[1].words });
      continue;
    }
    for (const line of row) {
      const split = line.words.findIndex((w) => w.text.length > 1 && w.text.endsWith(':'));
      if (split < 0 || split > 5 || split === line.words.length - 1) continue;
      pairs.push({ keyWords: line.words.slice(0, split + 1), valueWords: line.words.slice(split + 1) });
    }
  }
  return pairs;
}

export function layoutPage(lines: readonly Line[], figures: readonly Box[] = []): PageLayout {
  const rows = toRows(lines);
  return { lines: rows.flat(), table: findTable(rows), keyValues: findKeyValues(rows), figures: [...figures] };
}
