import { decodeHTML } from 'entities';
import { marked, type Token, type Tokens } from 'marked';

// Reads rendered markdown back with a real parser (marked, GitHub-flavoured), into what a reader
// sees: headings, paragraphs, lists, tables with their cells' text, rules. Raw HTML other than
// the `<br>` of a multi-line cell, or a link, fails the read: recognised text must never become
// markup.

export type ReadBlock =
  | { type: 'heading'; depth: number; text: string }
  | { type: 'paragraph'; text: string }
  | { type: 'list'; ordered: boolean; start?: number; items: string[] }
  | { type: 'table'; header: string[]; rows: string[][] }
  | { type: 'hr' };

export function readMarkdown(markdown: string): ReadBlock[] {
  const blocks: ReadBlock[] = [];
  for (const token of marked.lexer(markdown)) {
    switch (token.type) {
      case 'space':
        break;
      case 'heading':
        blocks.push({ type: 'heading', depth: token.depth, text: inline(token.tokens ?? []) });
        break;
      case 'paragraph':
        blocks.push({ type: 'paragraph', text: inline(token.tokens ?? []) });
        break;
      case 'list': {
        const list = token as Tokens.List;
        blocks.push({
          type: 'list',
          ordered: list.ordered,
          ...(list.ordered ? { start: Number(list.start) } : {}),
          items: list.items.map((item) => inline(item.tokens)),
        });
        break;
      }
      case 'table': {
        const table = token as Tokens.Table;
        blocks.push({
          type: 'table',
          header: table.header.map((cell) => inline(cell.tokens)),
          rows: table.rows.map((row) => row.map((cell) => inline(cell.tokens))),
        });
        break;
      }
      case 'hr':
        blocks.push({ type: 'hr' });
        break;
      default:
        throw new Error(`unexpected markdown block ${token.type}: ${JSON.stringify(token.raw)}`);
    }
  }
  return blocks;
}

/** The text a reader sees: escapes resolved, character references decoded, `<br>` as "\n". */
function inline(tokens: readonly Token[]): string {
  return tokens
    .map((token) => {
      switch (token.type) {
        case 'text':
          return 'tokens' in token && token.tokens ? inline(token.tokens) : decodeHTML(token.text);
        case 'escape':
          return token.text;
        case 'em':
        case 'strong':
          return inline(token.tokens ?? []);
        case 'link':
          // GitHub-flavoured markdown links a bare URL by itself; it still reads as the URL printed.
          if (token.raw === token.href) return token.raw;
          throw new Error(`markdown link in text: ${token.raw}`);
        case 'html':
          if (/^<br\s*\/?>$/i.test(token.text)) return '\n';
          throw new Error(`raw HTML in markdown: ${token.text}`);
        default:
          throw new Error(`unexpected inline ${token.type}: ${JSON.stringify(token.raw)}`);
      }
    })
    .join('');
}
