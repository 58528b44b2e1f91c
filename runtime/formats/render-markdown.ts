import type { BlockContent, PhrasingContent, Root, RootContent, Table, TableRow } from 'mdast';
import { gfmTableToMarkdown } from 'mdast-util-gfm-table';
import { toMarkdown } from 'mdast-util-to-markdown';
import type { Block, OutputDocument } from './model.ts';

// Markdown (CommonMark + GitHub pipe tables) through a syntax tree, so every character OCR read
// (`*`, `#`, `|`, `<`, a line starting "1.") is escaped by the serializer that knows the grammar.

export function renderMarkdown(doc: OutputDocument): string {
  const root: Root = { type: 'root', children: doc.blocks.flatMap(toNode) };
  if (root.children.length === 0) return '';
  return toMarkdown(root, {
    extensions: [gfmTableToMarkdown()],
    bullet: '-',
    rule: '-',
    emphasis: '_',
    listItemIndent: 'one',
  });
}

function toNode(block: Block): RootContent[] {
  switch (block.kind) {
    case 'heading':
      return [{ type: 'heading', depth: block.level, children: [{ type: 'text', value: block.text }] }];
    case 'paragraph': {
      const text: PhrasingContent = { type: 'text', value: block.text };
      return [{ type: 'paragraph', children: block.emphasis ? [{ type: 'emphasis', children: [text] }] : [text] }];
    }
    case 'list':
      return [{
        type: 'list',
        ordered: block.ordered,
        start: block.start,
        spread: false,
        children: block.items.map((item) => ({
          type: 'listItem',
          spread: false,
          children: [{ type: 'paragraph', children: [{ type: 'text', value: item }] } satisfies BlockContent],
        })),
      }];
    case 'table':
      return table(block.header ? block.rows : [block.rows[0]?.map(() => '') ?? [], ...block.rows]);
    case 'fields':
      return table([
        block.headers,
        ...block.fields.map((f) => (block.headers.length === 3 ? [f.name, f.value, f.note ?? ''] : [f.name, f.value])),
      ]);
    case 'page-break':
      return [{ type: 'thematicBreak' }];
  }
}

/**
 * A pipe table's first row is its header; a table without one gets an empty header row, since the
 * syntax has no headerless table. A table with no cell has nothing to show.
 */
function table(rows: readonly (readonly string[])[]): Table[] {
  if (rows.length === 0 || rows[0].length === 0) return [];
  const children: TableRow[] = rows.map((row) => ({ type: 'tableRow', children: row.map((cell) => ({ type: 'tableCell', children: cellContent(cell) })) }));
  return [{ type: 'table', align: rows[0].map(() => null), children }];
}

/**
 * A pipe-table row is one line, so a line break inside a cell (a two-line address) is written as
 * `<br>`, which GitHub, GitLab and most knowledge bases render as a break in the cell.
 */
function cellContent(cell: string): PhrasingContent[] {
  const content: PhrasingContent[] = [];
  cell.split(/\r\n|\r|\n/).forEach((line, i) => {
    if (i > 0) content.push({ type: 'html', value: '<br>' });
    if (line !== '') content.push({ type: 'text', value: line });
  });
  return content;
}
