import { readFileSync } from 'node:fs';
import type { Block } from '@aws-sdk/client-textract';
import { normalizeBlocks } from '../../../runtime/engines/textract-normalize.ts';
import type { BBox, LayoutItem, OcrLine, PageResult } from '../../../runtime/engines/types.ts';
import ocr from '../../../functions/ocr.ts';
import { resultJson } from '../../../runtime/document-functions/result-json.ts';
import type { ExpenseResultJson, IdentityResultJson, OcrResultJson } from '../../../runtime/formats/result-types.ts';

// Stored results as the service writes them: real Textract responses through the real
// normaliser and the real result assembly, plus hand-made parts for what is normalised
// elsewhere (layout, queries, signatures, expense, identity), shaped like API.md.

export const box = (left: number, top: number, width: number, height: number): BBox => ({ left, top, width, height });

/** One page of a saved Textract response, as the normaliser reads it (tables and key-values with their boxes). */
export function textractPage(fixture: string, page: number): PageResult {
  const url = new URL(`../../fixtures/textract/${fixture}`, import.meta.url);
  const blocks = (JSON.parse(readFileSync(url, 'utf8')) as { Blocks: Block[] }).Blocks;
  return normalizeBlocks(blocks, page);
}

/** The stored JSON of an OCR result over `pages`, parsed as a client (or the runtime) reads it. */
export function storedOcrResult(pages: PageResult[], features: string[], extra: Partial<OcrResultJson> = {}): OcrResultJson {
  const head = {
    documentId: 'b3f1c0de-0000-4000-8000-000000000001',
    sha256: 'a'.repeat(64),
    filename: 'scan.pdf',
    contentType: 'application/pdf',
    bytes: 12345,
    pageCount: pages.length,
    engine: 'textract',
    features,
    cached: false,
    durationMs: 812,
  };
  const payload = JSON.stringify(ocr.document.merge([{ pages }], { features }));
  const stored = JSON.parse(resultJson(head, payload, '2024-05-01T10:00:00Z')) as OcrResultJson;
  return { ...stored, ...extra };
}

/** Layout of test_table.json's page, as Textract's LAYOUT found it on the same image. */
export const TEXTRACTOR_PAGE_LAYOUT: LayoutItem[] = [
  { page: 1, type: 'title', text: 'Textractor Test\nDocument', bbox: box(0.1601, 0.1036, 0.6753, 0.1806) },
  { page: 1, type: 'section_header', text: 'Page (1)', bbox: box(0.1198, 0.3361, 0.18, 0.0435) },
  { page: 1, type: 'section_header', text: 'Key - Values', bbox: box(0.1186, 0.4112, 0.1735, 0.0261) },
  { page: 1, type: 'text', text: 'Name of package: Textractor\nDate : 08/14/2022', bbox: box(0.1185, 0.4672, 0.3393, 0.0493) },
  { page: 1, type: 'section_header', text: 'Table 1', bbox: box(0.1167, 0.5645, 0.1046, 0.0213) },
  {
    page: 1,
    type: 'table',
    text: 'Cell 1\nCell 2\nCell 4\nCell 5\nCell 6\nCell 7\nCell 8\nCell 9\nCell 10\nCell 11\nCell 12\nCell 13\nCell 14\nCell 15',
    bbox: box(0.1145, 0.6126, 0.7983, 0.1778),
  },
  { page: 1, type: 'section_header', text: 'Selection Element', bbox: box(0.1171, 0.8166, 0.2628, 0.0221) },
  { page: 1, type: 'figure', text: '', bbox: box(0.1212, 0.8744, 0.0364, 0.0278) },
  { page: 1, type: 'text', text: 'Selected Checkbox', bbox: box(0.1919, 0.8824, 0.1496, 0.0123) },
  { page: 1, type: 'figure', text: '', bbox: box(0.1201, 0.9187, 0.0369, 0.0291) },
  { page: 1, type: 'text', text: 'Un-Selected Checkbox', bbox: box(0.1921, 0.9286, 0.1783, 0.0124) },
];

const line = (text: string, top: number, left = 0.1, width = 0.4, height = 0.02): OcrLine => ({ text, confidence: 99, bbox: box(left, top, width, height) });

/**
 * A made-up second page of a policy: a running header, footer and page number, a bulleted list
 * with a wrapped item, a key_value region and a signature.
 */
export function policyPage(page: number): { page: PageResult; layout: LayoutItem[] } {
  const lines = [
    line('ACME Insurance - Policy 42', 0.02, 0.3),
    line('Coverage', 0.1),
    line('• Fire and smoke', 0.15),
    line('• Water damage from', 0.18),
    line('burst pipes', 0.21, 0.12),
    line('• Theft', 0.24),
    line('Policy number:', 0.3, 0.1, 0.15),
    line('PN-0042', 0.3, 0.3, 0.1),
    line('Start date:', 0.33, 0.1, 0.15),
    line('01/02/2024', 0.33, 0.3, 0.1),
    line('Signed by the holder', 0.5),
    line('Confidential', 0.95, 0.1),
    line('2', 0.95, 0.9, 0.02),
  ];
  const pageResult: PageResult = {
    page,
    lines,
    words: [],
    keyValues: [
      { key: 'Policy number:', value: 'PN-0042', confidence: 95, page, bbox: box(0.1, 0.3, 0.3, 0.02) },
      { key: 'Start date:', value: '01/02/2024', confidence: 94, page, bbox: box(0.1, 0.33, 0.3, 0.02) },
    ],
    tables: [],
  };
  const layout: LayoutItem[] = [
    { page, type: 'header', text: 'ACME Insurance - Policy 42', bbox: box(0.3, 0.02, 0.4, 0.02) },
    { page, type: 'section_header', text: 'Coverage', bbox: box(0.1, 0.1, 0.4, 0.02) },
    { page, type: 'list', text: '• Fire and smoke\n• Water damage from\nburst pipes\n• Theft', bbox: box(0.1, 0.15, 0.4, 0.11) },
    { page, type: 'key_value', text: 'Policy number: PN-0042\nStart date: 01/02/2024', bbox: box(0.09, 0.29, 0.35, 0.07) },
    { page, type: 'text', text: 'Signed by the holder', bbox: box(0.1, 0.5, 0.4, 0.02) },
    { page, type: 'footer', text: 'Confidential', bbox: box(0.1, 0.95, 0.4, 0.02) },
    { page, type: 'page_number', text: '2', bbox: box(0.9, 0.95, 0.02, 0.02) },
  ];
  return { page: pageResult, layout };
}

export function storedExpenseResult(): ExpenseResultJson {
  return {
    documentId: 'b3f1c0de-0000-4000-8000-000000000002',
    filename: 'receipt.jpg',
    expenses: [
      {
        index: 1,
        summary: [
          { type: 'VENDOR_NAME', label: '', value: 'Corner Café & Bakery', confidence: 99.1, page: 1 },
          {
            type: 'ADDRESS', value: '12 Main St\nSpringfield', confidence: 97.5, page: 1,
            groups: [{ id: 'g1', types: ['VENDOR'] }],
          },
          { type: 'TOTAL', label: 'Total:', value: '$12.50', confidence: 98.2, page: 1, currency: 'USD' },
        ],
        lineItemGroups: [
          {
            index: 1,
            items: [
              { fields: [
                { type: 'ITEM', value: 'Coffee, large', confidence: 95, page: 1 },
                { type: 'PRICE', value: '$4.00', confidence: 96, page: 1 },
              ] },
              { fields: [
                { type: 'ITEM', value: 'Bagel "everything"', confidence: 94, page: 1 },
                { type: 'QUANTITY', value: '2', confidence: 90, page: 1 },
                { type: 'PRICE', value: '$8.50', confidence: 96, page: 1 },
              ] },
            ],
          },
        ],
      },
    ],
  };
}

export function storedIdentityResult(): IdentityResultJson {
  return {
    documentId: 'b3f1c0de-0000-4000-8000-000000000003',
    filename: 'licence.png',
    identityDocuments: [
      {
        index: 1,
        fields: [
          { type: 'FIRST_NAME', value: 'JANE', confidence: 98.9 },
          { type: 'LAST_NAME', value: "O'NEIL", confidence: 98.7 },
          { type: 'DATE_OF_BIRTH', value: '3/4/1990', normalizedValue: '1990-03-04T00:00:00', valueType: 'Date', confidence: 97.3 },
          { type: 'ADDRESS', value: '1 Elm St, Apt 2\nSpringfield', confidence: 95 },
          { type: 'ENDORSEMENTS', value: '', confidence: 80 },
        ],
      },
    ],
  };
}
