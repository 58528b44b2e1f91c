import { parse, type DefaultTreeAdapterTypes, type ParserError } from 'parse5';

// Reads rendered HTML back with a real HTML parser (parse5, the WHATWG algorithm browsers use),
// reporting every parse error, so tests see the page a browser builds.

type Node = DefaultTreeAdapterTypes.Node;
export type Element = DefaultTreeAdapterTypes.Element;

export interface ReadHtml {
  document: DefaultTreeAdapterTypes.Document;
  errors: ParserError[];
}

export function readHtml(html: string): ReadHtml {
  const errors: ParserError[] = [];
  const document = parse(html, { onParseError: (error) => errors.push(error) });
  return { document, errors };
}

/** Every element below `node`, whatever its name. */
export function allElements(node: Node): Element[] {
  const found: Element[] = [];
  const visit = (current: Node): void => {
    if ('tagName' in current) found.push(current);
    for (const child of 'childNodes' in current ? current.childNodes : []) visit(child);
  };
  visit(node);
  return found;
}

/** Every element below `node` with this tag name, in document order. */
export function elements(node: Node, tagName: string): Element[] {
  return allElements(node).filter((element) => element.tagName === tagName);
}

/** The text a browser shows for the node, with `<br>` as "\n". */
export function textOf(node: Node): string {
  if (node.nodeName === '#text') return (node as DefaultTreeAdapterTypes.TextNode).value;
  if (node.nodeName === 'br') return '\n';
  return ('childNodes' in node ? node.childNodes : []).map(textOf).join('');
}

export function attribute(element: Element, name: string): string | undefined {
  return element.attrs.find((a) => a.name === name)?.value;
}

/** A table as its header cells (`th`) and body rows (`td`), each as text. */
export function tableCells(table: Element): { header: string[]; rows: string[][] } {
  const rows = elements(table, 'tr');
  const header = rows.flatMap((row) => elements(row, 'th')).map(textOf);
  const body = rows.map((row) => elements(row, 'td').map(textOf)).filter((cells) => cells.length > 0);
  return { header, rows: body };
}
