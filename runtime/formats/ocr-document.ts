import type { QueryResult } from '../engines/types.ts';
import type { Block, OutputDocument, TableBlock } from './model.ts';
import { rectangular, tableBlock } from './model.ts';
import { layoutPage } from './ocr-layout.ts';
import { linesPage } from './ocr-lines.ts';
import type { PageContent } from './ocr-page.ts';
import type { OcrResultJson } from './result-types.ts';

/**
 * An OCR result, page by page: by its layout where the page has one (LAYOUT), else by its lines.
 * Query answers concern the whole document, so they follow the last page.
 */
export function ocrDocument(result: OcrResultJson): OutputDocument {
  const blocks: Block[] = [];
  result.pages.forEach((page, i) => {
    if (i > 0) blocks.push({ kind: 'page-break', page: page.page });
    const content = pageContent(result, page.page, page.lines);
    blocks.push(...(content.layout.length > 0 ? layoutPage(content) : linesPage(content)));
  });
  if (result.queries !== undefined && result.queries.length > 0) {
    blocks.push({ kind: 'heading', level: 2, text: 'Queries' }, queriesTable(result.queries));
  }
  return {
    title: result.filename ?? undefined,
    blocks,
    text: result.text,
    // table=N is the N-th entry of the JSON's `tables`, so a client can tell which one it gets.
    csvTables: (result.tables ?? []).map((t) => rectangular(t.rows)),
  };
}

function pageContent(result: OcrResultJson, page: number, lines: PageContent['lines']): PageContent {
  const onPage = <T extends { page: number }>(items: readonly T[] | undefined): T[] => (items ?? []).filter((x) => x.page === page);
  return {
    page,
    lines,
    layout: onPage(result.layout),
    tables: onPage(result.tables),
    keyValues: onPage(result.keyValues),
    signatures: onPage(result.signatures),
  };
}

/** One row per question; several answers share its cell, one per line; the alias column only when used. */
function queriesTable(queries: readonly QueryResult[]): TableBlock {
  const withAlias = queries.some((q) => q.alias !== undefined && q.alias !== '');
  const header = withAlias ? ['Question', 'Alias', 'Answer'] : ['Question', 'Answer'];
  const rows = queries.map((q) => {
    const answer = q.answers.map((a) => a.text).join('\n');
    return withAlias ? [q.text, q.alias ?? '', answer] : [q.text, answer];
  });
  return tableBlock([header, ...rows], true);
}
