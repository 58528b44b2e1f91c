import { escapeUTF8 } from 'entities/escape';
import type { Block, OutputDocument } from './model.ts';

// One self-contained HTML page with the same structure as the markdown: it must open from a
// download or a mail attachment, so nothing is loaded from elsewhere and nothing runs (no
// script, styles inline). Every piece of recognised text goes through `escapeUTF8`, which
// escapes & < > " ', so OCR'd markup stays text in element content and attributes alike.

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5; color: #1a1a1a; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #b8b8b8; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
hr.page-break { border: 0; border-top: 2px dashed #999; margin: 2rem 0; }
@media print { hr.page-break { border: 0; break-after: page; } }
`;

export function renderHtml(doc: OutputDocument): string {
  const title = doc.title !== undefined && doc.title !== '' ? doc.title : 'Document';
  return [
    '<!DOCTYPE html>',
    '<html>',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeUTF8(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...doc.blocks.map(blockHtml).filter((html) => html !== ''),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function blockHtml(block: Block): string {
  switch (block.kind) {
    case 'heading':
      return `<h${block.level}>${escapeUTF8(block.text)}</h${block.level}>`;
    case 'paragraph':
      // Printed lines stay "\n", which a browser shows as a space, as the markdown's soft breaks.
      return block.emphasis ? `<p><em>${escapeUTF8(block.text)}</em></p>` : `<p>${escapeUTF8(block.text)}</p>`;
    case 'list': {
      const tag = block.ordered ? 'ol' : 'ul';
      const start = block.ordered && block.start !== undefined ? ` start="${block.start}"` : '';
      const items = block.items.map((item) => `<li>${escapeUTF8(item)}</li>`).join('\n');
      return `<${tag}${start}>\n${items}\n</${tag}>`;
    }
    case 'table':
      return table(block.header ? block.rows[0] : undefined, block.header ? block.rows.slice(1) : block.rows);
    case 'fields':
      return table(
        block.headers,
        block.fields.map((f) => (block.headers.length === 3 ? [f.name, f.value, f.note ?? ''] : [f.name, f.value])),
      );
    case 'page-break':
      return `<hr class="page-break" aria-label="Page ${block.page}">`;
  }
}

function table(header: readonly string[] | undefined, body: readonly (readonly string[])[]): string {
  if ((header?.length ?? 0) === 0 && (body.length === 0 || body[0].length === 0)) return '';
  const parts = ['<table>'];
  if (header !== undefined) {
    parts.push('<thead>', `<tr>${header.map((cell) => `<th scope="col">${cellHtml(cell)}</th>`).join('')}</tr>`, '</thead>');
  }
  if (body.length > 0) {
    parts.push('<tbody>', ...body.map((row) => `<tr>${row.map((cell) => `<td>${cellHtml(cell)}</td>`).join('')}</tr>`), '</tbody>');
  }
  parts.push('</table>');
  return parts.join('\n');
}

/** Line breaks inside a cell are kept, as the markdown's `<br>` keeps them. */
function cellHtml(cell: string): string {
  return cell.split(/\r\n|\r|\n/).map(escapeUTF8).join('<br>');
}
