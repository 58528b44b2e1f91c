import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ocrDocument } from '../../../runtime/formats/ocr-document.ts';
import { renderMarkdown } from '../../../runtime/formats/render-markdown.ts';
import type { OcrResultJson } from '../../../runtime/formats/result-types.ts';
import { readMarkdown, type ReadBlock } from './read-markdown.ts';
import { TEXTRACTOR_PAGE_LAYOUT, box, policyPage, storedOcrResult, textractPage } from './sample-results.ts';

const markdownOf = (result: OcrResultJson): ReadBlock[] => readMarkdown(renderMarkdown(ocrDocument(result)));

const TEXTRACTOR_TABLE = {
  type: 'table',
  header: ['Cell 1', 'Cell 2', '', 'Cell 4', 'Cell 5'],
  rows: [
    ['Cell 6', 'Cell 7', 'Cell 8', 'Cell 9', 'Cell 10'],
    ['Cell 11', 'Cell 12', 'Cell 13', 'Cell 14', 'Cell 15'],
  ],
} as const;

describe('ocrDocument with layout', () => {
  test('should turn the layout of a real page into headings, paragraphs and its table', () => {
    const result = storedOcrResult([textractPage('test_table.json', 1)], ['TABLES', 'LAYOUT'], { layout: TEXTRACTOR_PAGE_LAYOUT });

    assert.deepEqual(markdownOf(result), [
      { type: 'heading', depth: 1, text: 'Textractor Test Document' },
      { type: 'heading', depth: 2, text: 'Page (1)' },
      { type: 'heading', depth: 2, text: 'Key - Values' },
      { type: 'paragraph', text: 'Name of package: Textractor\nDate : 08/14/2022' },
      { type: 'heading', depth: 2, text: 'Table 1' },
      TEXTRACTOR_TABLE,
      { type: 'heading', depth: 2, text: 'Selection Element' },
      { type: 'paragraph', text: 'Selected Checkbox' },
      { type: 'paragraph', text: 'Un-Selected Checkbox' },
    ]);
  });

  test('should give the layout table text when the result has no matching table', () => {
    const result = storedOcrResult([textractPage('test_table.json', 1)], ['LAYOUT'], { layout: TEXTRACTOR_PAGE_LAYOUT });

    const blocks = markdownOf(result);
    assert.equal(blocks.some((b) => b.type === 'table'), false);
    assert.ok(blocks.some((b) => b.type === 'paragraph' && b.text.startsWith('Cell 1\nCell 2\nCell 4')));
  });

  test('should drop running headers, footers and page numbers and make lists and key-value regions', () => {
    const policy = policyPage(2);
    const result = storedOcrResult([textractPage('test_table.json', 1), policy.page], ['TABLES', 'FORMS', 'LAYOUT', 'SIGNATURES'], {
      layout: [...TEXTRACTOR_PAGE_LAYOUT, ...policy.layout],
      signatures: [{ page: 2, confidence: 88, bbox: box(0.1, 0.53, 0.2, 0.05) }],
    });

    const blocks = markdownOf(result);
    const page2 = blocks.slice(blocks.findIndex((b) => b.type === 'hr') + 1);
    assert.deepEqual(page2, [
      { type: 'heading', depth: 2, text: 'Coverage' },
      { type: 'list', ordered: false, items: ['Fire and smoke', 'Water damage from burst pipes', 'Theft'] },
      { type: 'table', header: ['Key', 'Value'], rows: [['Policy number:', 'PN-0042'], ['Start date:', '01/02/2024']] },
      { type: 'paragraph', text: 'Signed by the holder' },
      { type: 'paragraph', text: 'Signature' },
    ]);
    const everything = JSON.stringify(blocks);
    for (const furniture of ['ACME Insurance', 'Confidential']) assert.ok(!everything.includes(furniture), furniture);
  });

  test('should keep key-values found outside any key_value region as a table after the page', () => {
    const page = textractPage('test_table.json', 1);
    page.keyValues = [{ key: 'Date :', value: '08/14/2022', confidence: 90, page: 1, bbox: box(0.118, 0.4978, 0.19, 0.0197) }];
    const result = storedOcrResult([page], ['TABLES', 'FORMS', 'LAYOUT'], { layout: TEXTRACTOR_PAGE_LAYOUT });

    const blocks = markdownOf(result);
    assert.deepEqual(blocks[blocks.length - 1], { type: 'table', header: ['Key', 'Value'], rows: [['Date :', '08/14/2022']] });
  });

  test('should place a table no layout block covers where it was printed', () => {
    const page = textractPage('test_table.json', 1);
    const layout = TEXTRACTOR_PAGE_LAYOUT.filter((item) => item.type !== 'table');
    const result = storedOcrResult([page], ['TABLES', 'LAYOUT'], { layout });

    const blocks = markdownOf(result);
    const at = blocks.findIndex((b) => b.type === 'table');
    assert.deepEqual(blocks[at], TEXTRACTOR_TABLE);
    assert.deepEqual(blocks[at - 1], { type: 'heading', depth: 2, text: 'Table 1' });
    assert.deepEqual(blocks[at + 1], { type: 'heading', depth: 2, text: 'Selection Element' });
  });
});

describe('ocrDocument without layout', () => {
  test('should put the table where it stands among the lines without repeating its lines', () => {
    const result = storedOcrResult([textractPage('test-response.json', 1)], ['TABLES', 'FORMS']);

    const blocks = markdownOf(result);
    const at = blocks.findIndex((b) => b.type === 'table');
    assert.deepEqual(blocks[at - 1], { type: 'paragraph', text: 'Previous Employment History' });
    assert.deepEqual(blocks[at], {
      type: 'table',
      header: ['Start Date', 'End Date', 'Employer Name', 'Position Held', 'Reason for leaving'],
      rows: [
        ['1/15/2009', '6/30/2011', 'Any Company', 'Assistant baker', 'relocated'],
        ['7/1/2011', '8/10/2013', 'Example Corp.', 'Baker', 'better opp.'],
        ['8/15/2013', 'Present', 'AnyCompany', 'head baker', 'N/A, current'],
      ],
    });
    const paragraphs = blocks.filter((b) => b.type === 'paragraph').map((b) => b.text).join('\n');
    for (const cell of ['Assistant baker', 'N/A, current', 'Start Date']) assert.ok(!paragraphs.includes(cell), cell);
    assert.ok(paragraphs.includes('Home Address: 123 Any Street, Any Town. USA'));
  });

  test('should give the key-values as a key/value table after the page', () => {
    const result = storedOcrResult([textractPage('test-response.json', 1)], ['TABLES', 'FORMS']);

    const last = markdownOf(result).at(-1);
    assert.equal(last?.type, 'table');
    assert.ok(last?.type === 'table');
    assert.deepEqual(last.header, ['Key', 'Value']);
    assert.deepEqual(last.rows.slice(1, 3), [['Full Name:', 'Jane Doe'], ['Phone Number:', '555-0100']]);
    assert.deepEqual(last.rows.find((row) => row[0] === 'Job fair'), ['Job fair', 'SELECTED']);
  });

  test('should group lines into paragraphs by the gaps between them', () => {
    const result = storedOcrResult([textractPage('test_table.json', 1)], []);

    assert.deepEqual(markdownOf(result).slice(0, 4), [
      { type: 'paragraph', text: 'Textractor Test\nDocument' },
      { type: 'paragraph', text: 'Page (1)' },
      { type: 'paragraph', text: 'Key - Values' },
      { type: 'paragraph', text: 'Name of package: Textractor\nDate : 08/14/2022' },
    ]);
  });

  test('should put a table without a box after its page, keeping every line', () => {
    const page = textractPage('test_table.json', 1);
    delete page.tables[0].bbox;
    const result = storedOcrResult([page], ['TABLES']);

    const blocks = markdownOf(result);
    assert.deepEqual(blocks.at(-1), TEXTRACTOR_TABLE);
    assert.ok(blocks.some((b) => b.type === 'paragraph' && b.text.includes('Cell 13')));
  });

  test('should separate pages with a rule and follow the last page with the queries', () => {
    const result = storedOcrResult([textractPage('test_table.json', 1), textractPage('test-response.json', 2)], ['TABLES', 'QUERIES'], {
      queries: [
        { text: 'What is the date?', answers: [{ text: '08/14/2022', confidence: 91, page: 1 }] },
        { text: 'Who applied?', alias: 'APPLICANT', answers: [{ text: 'Jane Doe', confidence: 88, page: 2 }, { text: 'J. Doe', confidence: 40, page: 2 }] },
        { text: 'What is the salary?', answers: [] },
      ],
    });

    const blocks = markdownOf(result);
    const rule = blocks.findIndex((b) => b.type === 'hr');
    assert.equal(blocks.filter((b) => b.type === 'hr').length, 1);
    assert.deepEqual(blocks[rule - 1], { type: 'paragraph', text: 'Un-Selected Checkbox' });
    assert.deepEqual(blocks[rule + 1], { type: 'paragraph', text: 'Employment Application' });
    assert.deepEqual(blocks.slice(-2), [
      { type: 'heading', depth: 2, text: 'Queries' },
      {
        type: 'table',
        header: ['Question', 'Alias', 'Answer'],
        rows: [
          ['What is the date?', '', '08/14/2022'],
          ['Who applied?', 'APPLICANT', 'Jane Doe\nJ. Doe'],
          ['What is the salary?', '', ''],
        ],
      },
    ]);
  });
});
