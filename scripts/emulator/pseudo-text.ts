// Text for documents the emulator cannot read (images, PDFs without a text layer): made up, but a
// pure function of the document's sha256 so tests can predict the first line and rely on
// identical bytes giving an identical answer.
import { union, type Line, type Word } from './layout.ts';
import { pick, randomInt, seededRandom, type Random } from './random.ts';

const WORDS = [
  'account', 'address', 'amount', 'balance', 'billing', 'branch', 'carrier', 'charge', 'claim', 'client',
  'contract', 'credit', 'customer', 'delivery', 'deposit', 'detail', 'discount', 'document', 'estimate',
  'freight', 'goods', 'herein', 'issued', 'item', 'ledger', 'limit', 'market', 'method', 'notice', 'office',
  'order', 'packing', 'payment', 'period', 'policy', 'premium', 'receipt', 'record', 'region', 'remit',
  'report', 'request', 'return', 'schedule', 'service', 'shipment', 'signed', 'statement', 'subtotal',
  'supplier', 'terms', 'total', 'transfer', 'unit', 'vendor', 'warranty',
] as const;

const KEYS = [
  'Invoice Number', 'Account ID', 'Due Date', 'Customer', 'Reference', 'Total Amount', 'Order Number', 'Phone',
] as const;

const TOP = 0.05;
const PITCH = 0.042;
const HEIGHT = 0.022;
const CHAR_WIDTH = 0.0095;
const MAX_WIDTH = 0.88;
const TABLE_COLUMNS = [0.08, 0.38, 0.68];

function confidence(random: Random): number {
  return Math.round((90 + random() * 9.9) * 1e4) / 1e4;
}

function valueFor(key: string, random: Random): string {
  switch (key) {
    case 'Due Date':
      return `2024-${String(randomInt(random, 1, 12)).padStart(2, '0')}-${String(randomInt(random, 1, 28)).padStart(2, '0')}`;
    case 'Total Amount':
      return `${randomInt(random, 10, 9999)}.${String(randomInt(random, 0, 99)).padStart(2, '0')}`;
    case 'Customer':
      return `${capitalise(pick(random, WORDS))} ${capitalise(pick(random, WORDS))}`;
    case 'Phone':
      return `555-${String(randomInt(random, 0, 9999)).padStart(4, '0')}`;
    default:
      return String(randomInt(random, 10000, 99999));
  }
}

function capitalise(word: string): string {
  return word[0].toUpperCase() + word.slice(1);
}

/** Lays words out left to right from `left`, squeezing long lines so they stay on the page. */
function placeLine(text: string, tokens: string[], left: number, top: number, random: Random, height = HEIGHT): Line {
  const chars = tokens.reduce((n, t) => n + t.length, 0) + tokens.length - 1;
  const charWidth = Math.min(CHAR_WIDTH, (MAX_WIDTH - (left - 0.06)) / Math.max(1, chars));
  const words: Word[] = [];
  let x = left;
  for (const token of tokens) {
    const width = token.length * charWidth;
    words.push({ text: token, box: { left: x, top, width, height }, confidence: confidence(random) });
    x += width + charWidth;
  }
  return { text, words, box: union(words.map((w) => w.box)), confidence: confidence(random) };
}

export function pseudoLines(sha256: string, labels: readonly string[]): Line[] {
  const random = seededRandom(Number.parseInt(sha256.slice(8, 16), 16));
  const left = 0.06 + random() * 0.06;
  const lines: Line[] = [];
  const add = (text: string, tokens = text.split(' ')): void => {
    lines.push(placeLine(text, tokens, left, TOP + lines.length * PITCH, random));
  };

  add(`DOC-${sha256.slice(0, 8)}`);
  for (const label of labels) {
    const labelTokens = label.split(/\s+/).filter(Boolean);
    if (labelTokens.length > 0) add(label, labelTokens);
  }
  const bodyLines = randomInt(random, 3, 12);
  for (let i = 0; i < bodyLines; i++) {
    const count = randomInt(random, 2, 8);
    add(Array.from({ length: count }, () => pick(random, WORDS)).join(' '));
  }
  const keys = [...KEYS];
  const pairs = randomInt(random, 2, 4);
  for (let i = 0; i < pairs; i++) {
    const key = keys.splice(Math.floor(random() * keys.length), 1)[0];
    add(`${key}: ${valueFor(key, random)}`);
  }

  // A 3×3 table: each cell is its own LINE on a shared row, as Textract reports columns of text.
  const rows = [
    ['Item', 'Qty', 'Price'],
    ...[0, 1].map(() => [capitalise(pick(random, WORDS)), String(randomInt(random, 1, 99)), `${randomInt(random, 1, 999)}.${String(randomInt(random, 0, 99)).padStart(2, '0')}`]),
  ];
  const tableTop = TOP + lines.length * PITCH;
  rows.forEach((cells, r) => {
    cells.forEach((text, c) => {
      lines.push(placeLine(text, [text], TABLE_COLUMNS[c], tableTop + r * PITCH, random));
    });
  });
  return lines;
}

// A dense page: a full page of small print, ~450 blocks and ~200 KB of DetectDocumentText JSON,
// where the cost of reading a response shows (benchmarks mark such pages DTAT-EMULATOR:DENSE).
const DENSE_LINES = 50;
const DENSE_WORDS_PER_LINE = 8;
const DENSE_PITCH = 0.0175;
const DENSE_HEIGHT = 0.012;

/** The first line as pseudoLines has it, then DENSE_LINES lines of DENSE_WORDS_PER_LINE words each. */
export function densePseudoLines(sha256: string): Line[] {
  const random = seededRandom(Number.parseInt(sha256.slice(8, 16), 16));
  const left = 0.06 + random() * 0.03;
  const lines: Line[] = [];
  const add = (text: string): void => {
    lines.push(placeLine(text, text.split(' '), left, TOP / 2 + lines.length * DENSE_PITCH, random, DENSE_HEIGHT));
  };
  add(`DOC-${sha256.slice(0, 8)}`);
  for (let i = 0; i < DENSE_LINES; i++) add(Array.from({ length: DENSE_WORDS_PER_LINE }, () => pick(random, WORDS)).join(' '));
  return lines;
}

const MAX_LABELS = 40;

/**
 * The texts of the ASCII `DTAT-LABEL[...]` markers in the bytes, in order: each up to 200 printable
 * characters without `]`. Each becomes one line of pseudo text, so a test can lay out a whole
 * receipt or ID card on an image.
 */
export function findLabels(bytes: Buffer): string[] {
  const labels: string[] = [];
  for (let at = bytes.indexOf('DTAT-LABEL['); at >= 0 && labels.length < MAX_LABELS; at = bytes.indexOf('DTAT-LABEL[', at + 1)) {
    const start = at + 'DTAT-LABEL['.length;
    for (let i = start; i < bytes.length && i <= start + 200; i++) {
      const c = bytes[i];
      if (c === 0x5d) {
        if (i > start) labels.push(bytes.toString('latin1', start, i));
        break;
      }
      if (c < 0x20 || c > 0x7e) break;
    }
  }
  return labels;
}
