import type { OcrLine, Table } from '../engines/types.ts';
import type { Block } from './model.ts';
import { centreInside } from './geometry.ts';
import { keyValueFields, ocrTable, withTablesAndSignatures, type PageContent, type Positioned } from './ocr-page.ts';

// A page without layout: its lines in reading order, grouped into paragraphs, with each table
// standing where it was printed in place of the lines inside it; the page's key-values follow.

export function linesPage(content: PageContent): Block[] {
  const flow: Positioned[] = [];
  const placed = new Set<Table>();
  let paragraph: OcrLine[] = [];
  const endParagraph = (): void => {
    if (paragraph.length === 0) return;
    flow.push({ top: paragraph[0].bbox.top, block: { kind: 'paragraph', text: paragraph.map((l) => l.text).join('\n') } });
    paragraph = [];
  };

  for (const line of content.lines) {
    // The table's cells already hold this line's text: print the table once, where its first line was.
    const table = content.tables.find((t) => t.bbox !== undefined && centreInside(line.bbox, t.bbox));
    if (table !== undefined) {
      endParagraph();
      if (!placed.has(table)) flow.push({ top: table.bbox!.top, block: ocrTable(table) });
      placed.add(table);
      continue;
    }
    if (paragraph.length > 0 && startsParagraph(paragraph[paragraph.length - 1], line)) endParagraph();
    paragraph.push(line);
  }
  endParagraph();

  const blocks = withTablesAndSignatures(flow, content.tables.filter((t) => !placed.has(t)), content.signatures);
  if (content.keyValues.length > 0) blocks.push(keyValueFields(content.keyValues));
  return blocks;
}

/**
 * Lines of one paragraph are set closer than a line's height apart; a larger gap, or a jump back
 * up the page (the next column), starts a new one. The smaller of the two heights is the measure,
 * so a heading above body text is split from it.
 */
function startsParagraph(previous: OcrLine, next: OcrLine): boolean {
  const gap = next.bbox.top - (previous.bbox.top + previous.bbox.height);
  const lineHeight = Math.min(previous.bbox.height, next.bbox.height);
  return gap > lineHeight || next.bbox.top < previous.bbox.top - previous.bbox.height;
}
