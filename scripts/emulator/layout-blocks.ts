// AnalyzeDocument LAYOUT: the page's lines grouped into Textract's layout elements (title, section
// headers, paragraphs, lists, key-values, the table, running headers and footers, page numbers,
// figures), each a LAYOUT_* block whose CHILD relationships point at its LINE blocks, listed in
// reading order. The rules look only at what a reader sees: size, position and punctuation.
import { derivedConfidence, geometry, type Block } from './geometry.ts';
import { union, type Box, type Line, type PageLayout } from './layout.ts';

export type LayoutType =
  | 'LAYOUT_TITLE' | 'LAYOUT_SECTION_HEADER' | 'LAYOUT_TEXT' | 'LAYOUT_LIST' | 'LAYOUT_TABLE'
  | 'LAYOUT_KEY_VALUE' | 'LAYOUT_HEADER' | 'LAYOUT_FOOTER' | 'LAYOUT_PAGE_NUMBER' | 'LAYOUT_FIGURE';

export interface LayoutElement {
  type: LayoutType;
  lines: Line[];
  box: Box;
  /** A list's items, each a LAYOUT_TEXT, as Textract nests them. */
  items?: LayoutElement[];
}

const PAGE_NUMBER = /^(page\s+)?\d{1,4}(\s*(of|\/)\s*\d{1,4})?$|^-\s*\d{1,4}\s*-$/i;
const LIST_ITEM = /^([•·▪◦‣∙*–-]|\(?\d{1,2}[.)]|\(?[a-z][.)])$/i;
/** Lines wholly inside this top or bottom band are running headers and footers. */
const MARGIN = 0.06;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0;
}

const element = (type: LayoutType, lines: Line[]): LayoutElement => ({ type, lines, box: union(lines.map((l) => l.box)) });

export function classifyLayout(layout: PageLayout): LayoutElement[] {
  const { lines } = layout;
  const bodyHeight = median(lines.map((l) => l.box.height));
  const tableWords = new Set(layout.table?.cells.map((c) => c.words) ?? []);
  const formWords = new Set(layout.keyValues.flatMap((kv) => [kv.keyWords[0], kv.valueWords[0]]));
  const inTable = (line: Line): boolean => tableWords.has(line.words);
  const inForm = (line: Line): boolean => line.words.some((w) => formWords.has(w));
  const tall = (line: Line, factor: number): boolean => bodyHeight > 0 && line.box.height >= bodyHeight * factor;

  // The title: the first markedly large line in the top part of the page, with any equally large
  // lines right below it (a title set on two lines is one element).
  const titleLines = new Set<Line>();
  const first = lines.findIndex((l) => tall(l, 1.3) && l.box.top < 0.4 && !inTable(l) && !inForm(l));
  if (first >= 0) {
    titleLines.add(lines[first]);
    for (let i = first + 1; i < lines.length; i++) {
      const previous = lines[i - 1], line = lines[i];
      const gap = line.box.top - (previous.box.top + previous.box.height);
      if (!tall(line, 1.3) || gap > line.box.height || inTable(line) || inForm(line)) break;
      titleLines.add(line);
    }
  }

  const kind = (line: Line): LayoutType | 'LIST_ITEM' => {
    if (inTable(line)) return 'LAYOUT_TABLE';
    const marginal = line.box.top + line.box.height < MARGIN || line.box.top > 1 - MARGIN;
    if (PAGE_NUMBER.test(line.text.trim()) && (line.box.top < 0.1 || line.box.top > 0.9)) return 'LAYOUT_PAGE_NUMBER';
    if (marginal) return line.box.top < 0.5 ? 'LAYOUT_HEADER' : 'LAYOUT_FOOTER';
    if (titleLines.has(line)) return 'LAYOUT_TITLE';
    if (inForm(line)) return 'LAYOUT_KEY_VALUE';
    if (line.words.length > 1 && LIST_ITEM.test(line.words[0].text)) return 'LIST_ITEM';
    const letters = line.text.replace(/[^A-Za-z]/g, '');
    const shortHeading = line.words.length <= 6 && !/[.,;]$/.test(line.text);
    if (shortHeading && (tall(line, 1.15) || (letters.length >= 3 && letters === letters.toUpperCase()) || (line.text.endsWith(':') && line.words.length <= 4))) {
      return 'LAYOUT_SECTION_HEADER';
    }
    return 'LAYOUT_TEXT';
  };

  const elements: LayoutElement[] = [];
  let table: LayoutElement | null = null;
  let previous = null as { kind: LayoutType | 'LIST_ITEM'; line: Line } | null;
  for (const line of lines) {
    const k = kind(line);
    const current = elements[elements.length - 1];
    const gap = previous ? line.box.top - (previous.line.box.top + previous.line.box.height) : Infinity;
    const sameRow = previous !== null && gap < 0;
    if (k === 'LAYOUT_TABLE') {
      // The table's cells are one element wherever they fall in the reading order.
      if (!table) elements.push((table = element('LAYOUT_TABLE', [])));
      table.lines.push(line);
      table.box = union(table.lines.map((l) => l.box));
    } else if (k === 'LIST_ITEM') {
      const item = element('LAYOUT_TEXT', [line]);
      if (previous?.kind === 'LIST_ITEM' && current?.type === 'LAYOUT_LIST') current.items!.push(item);
      else elements.push({ ...element('LAYOUT_LIST', []), items: [item] });
      const list = elements[elements.length - 1];
      list.lines.push(line);
      list.box = union(list.lines.map((l) => l.box));
    } else {
      // Consecutive lines of one kind stay together when close: a paragraph, a block of form
      // fields, a two-line title. Section headers and page numbers stand alone.
      const joins = previous?.kind === k && current?.type === k && k !== 'LAYOUT_SECTION_HEADER' && k !== 'LAYOUT_PAGE_NUMBER'
        && (sameRow || gap <= Math.max(line.box.height, bodyHeight) * 1.2);
      if (joins) {
        current.lines.push(line);
        current.box = union(current.lines.map((l) => l.box));
      } else {
        elements.push(element(k, [line]));
      }
    }
    previous = { kind: k, line };
  }

  // Figures have no lines: each goes before the first element that starts below its top.
  for (const box of layout.figures) {
    const at = elements.findIndex((e) => e.box.top > box.top);
    elements.splice(at < 0 ? elements.length : at, 0, { type: 'LAYOUT_FIGURE', lines: [], box });
  }
  return elements;
}

/** Layout confidence: how surely the lines were read, less how much of a guess the kind is. */
const PENALTY: Record<LayoutType, number> = {
  LAYOUT_TITLE: 12, LAYOUT_SECTION_HEADER: 20, LAYOUT_TEXT: 6, LAYOUT_LIST: 8, LAYOUT_TABLE: 3,
  LAYOUT_KEY_VALUE: 7, LAYOUT_HEADER: 10, LAYOUT_FOOTER: 10, LAYOUT_PAGE_NUMBER: 9, LAYOUT_FIGURE: 25,
};

export function layoutBlocks(layout: PageLayout, lineIds: ReadonlyMap<Line, string>, nextId: () => string, page: number): { blocks: Block[]; pageChildren: string[] } {
  const blocks: Block[] = [];
  const build = (e: LayoutElement): string => {
    const id = nextId();
    const block: Block = {
      BlockType: e.type,
      Confidence: derivedConfidence(e.lines.flatMap((l) => l.words), PENALTY[e.type]),
      Geometry: geometry(e.box),
      Id: id,
    };
    blocks.push(block);
    const children = e.items ? e.items.map(build) : e.lines.map((l) => lineIds.get(l)!);
    if (children.length) block.Relationships = [{ Type: 'CHILD', Ids: children }];
    block.Page = page;
    return id;
  };
  const pageChildren = classifyLayout(layout).map(build);
  return { blocks, pageChildren };
}
