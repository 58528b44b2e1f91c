import type { OutputDocument } from './model.ts';
import { renderCsv } from './render-csv.ts';
import { renderHtml } from './render-html.ts';
import { renderMarkdown } from './render-markdown.ts';
import { renderText } from './render-text.ts';

/** `json` is the stored result itself, which the runtime serves as it is; the others are rendered. */
export const OUTPUT_FORMATS = ['json', 'text', 'markdown', 'html', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
export type RenderFormat = Exclude<OutputFormat, 'json'>;

export const CONTENT_TYPES: Readonly<Record<OutputFormat, string>> = {
  json: 'application/json; charset=utf-8',
  text: 'text/plain; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

export interface RenderOptions {
  /** format=csv only: the 1-based table to give instead of all of them. */
  table?: number;
}

export interface Rendered {
  body: string;
  contentType: string;
}

/** Throws HttpError NOT_FOUND when `table` names a table the result does not have. */
export function render(doc: OutputDocument, format: RenderFormat, options: RenderOptions = {}): Rendered {
  const contentType = CONTENT_TYPES[format];
  switch (format) {
    case 'text':
      return { body: renderText(doc), contentType };
    case 'markdown':
      return { body: renderMarkdown(doc), contentType };
    case 'html':
      return { body: renderHtml(doc), contentType };
    case 'csv':
      return { body: renderCsv(doc, options.table), contentType };
  }
}
