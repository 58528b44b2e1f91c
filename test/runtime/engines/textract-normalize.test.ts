import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Block } from '@aws-sdk/client-textract';
import { normalizeBlocks } from '../../../runtime/engines/textract-normalize.ts';
import {
  assertBoxNear,
  assertInsidePage,
  box,
  cell,
  checkbox,
  children,
  fixtureBlocks,
  holds,
  keyBlock,
  line,
  table,
  valueBlock,
  word,
} from '../../helpers/textract-blocks.ts';

describe('normalizeBlocks on real Textract responses', () => {
  test('should read the DetectDocumentText lines in reading order with boxes on the page', () => {
    const result = normalizeBlocks(fixtureBlocks('test_detect_document_text.json'), 3);

    assert.equal(result.page, 3);
    assert.equal(result.lines.length, 24);
    assert.deepEqual(result.lines.slice(0, 8).map((l) => l.text), [
      'Textractor Test',
      'Document',
      'Page (1)',
      'Key - Values',
      'Name of package: Textractor',
      'Date : 08/14/2022',
      'Table 1',
      'Cell 1',
    ]);
    assert.deepEqual(result.lines.slice(-3).map((l) => l.text), [
      'Selection Element',
      'Selected Checkbox',
      'Un-Selected Checkbox',
    ]);
    for (const l of result.lines) {
      assertInsidePage(l.bbox, l.text);
      assert.ok(l.confidence > 90 && l.confidence <= 100, `${l.text}: ${l.confidence}`);
      assert.equal(l.confidence, Math.round(l.confidence * 100) / 100);
    }
    // The title is the widest line, centred near the top of the page.
    const title = result.lines[0].bbox;
    assert.ok(title.top < 0.15 && title.left > 0.1 && title.width > 0.6, JSON.stringify(title));
    assert.deepEqual(result.keyValues, []);
    assert.deepEqual(result.tables, []);
  });

  test("should give each box as Textract's own, to millionths of the page", () => {
    const blocks = fixtureBlocks('test_detect_document_text.json');
    const given = blocks.filter((b) => b.BlockType === 'WORD').map((b) => ({ text: b.Text, box: b.Geometry!.BoundingBox! }));
    const { words, lines } = normalizeBlocks(blocks, 1);
    // Each edge within half a millionth of Textract's, so width and height within one.
    const near = (a: number, b: number, tolerance: number) => Math.abs(a - b) <= tolerance + 1e-12;
    for (const w of words) {
      const seen = given.filter((g) => g.text === w.text).some(({ box }) =>
        near(w.bbox.left, box.Left!, 5e-7) && near(w.bbox.top, box.Top!, 5e-7) && near(w.bbox.width, box.Width!, 1e-6) && near(w.bbox.height, box.Height!, 1e-6));
      assert.ok(seen, `${w.text} ${JSON.stringify(w.bbox)}`);
    }
    // No float noise such as 0.11399999999999999 in what is answered and stored.
    for (const { bbox } of [...words, ...lines]) {
      for (const n of Object.values(bbox)) assert.match(String(n), /^(0|1|0\.\d{1,6})$/, JSON.stringify(bbox));
    }
  });

  test('should keep every WORD once, in line order, with its box', () => {
    const blocks = fixtureBlocks('test_detect_document_text.json');
    const result = normalizeBlocks(blocks, 1);
    assert.equal(result.words.length, blocks.filter((b) => b.BlockType === 'WORD').length);
    assert.deepEqual(result.words.slice(0, 4).map((w) => w.text), ['Textractor', 'Test', 'Document', 'Page']);
    assert.equal(result.words.map((w) => w.text).join(' '), result.lines.map((l) => l.text).join(' '));
    for (const w of result.words) assertInsidePage(w.bbox, w.text);
  });

  test('should lay out the table with a merged header cell as it is printed', () => {
    const result = normalizeBlocks(fixtureBlocks('test_table.json'), 1);

    assert.equal(result.tables.length, 1);
    const { bbox, ...table } = result.tables[0];
    assert.deepEqual(table, {
      page: 1,
      rows: [
        ['Cell 1', 'Cell 2', '', 'Cell 4', 'Cell 5'],
        ['Cell 6', 'Cell 7', 'Cell 8', 'Cell 9', 'Cell 10'],
        ['Cell 11', 'Cell 12', 'Cell 13', 'Cell 14', 'Cell 15'],
      ],
      confidence: 99.74,
    });
    assert.equal(result.lines.length, 24);
    assert.deepEqual(result.keyValues, []);
  });

  test('should box the table around its cells and not its title', () => {
    const result = normalizeBlocks(fixtureBlocks('test_table.json'), 1);
    const table = result.tables[0].bbox!;
    const lines = new Map(result.lines.map((l) => [l.text, l.bbox]));

    assertInsidePage(table, 'table');
    for (let n = 1; n <= 15; n++) {
      if (n === 3) continue; // "Cell 2" spans the third column: there is no "Cell 3".
      assert.ok(holds(table, lines.get(`Cell ${n}`)!), `Cell ${n}`);
    }
    // The title "Table 1" is printed just above the table.
    const title = lines.get('Table 1')!;
    assert.ok(title.top + title.height <= table.top, JSON.stringify({ title, table }));
  });

  test('should box each form field around its key and its value together', () => {
    const result = normalizeBlocks(fixtureBlocks('test-response.json'), 1);
    const fullName = result.keyValues.find((kv) => kv.key === 'Full Name:')!;
    const homeAddress = result.keyValues.find((kv) => kv.key === 'Home Address:')!;
    const lines = new Map(result.lines.map((l) => [l.text, l.bbox]));

    // Key and value are printed on one line, "Full Name: Jane Doe"; the pair covers that line.
    assert.ok(holds(fullName.bbox!, lines.get('Full Name: Jane Doe')!), JSON.stringify(fullName.bbox));
    assert.ok(holds(lines.get('Full Name: Jane Doe')!, fullName.bbox!), JSON.stringify(fullName.bbox));
    // The address value runs far to the right of its key: the box reaches it.
    assert.ok(homeAddress.bbox!.width > 0.7, JSON.stringify(homeAddress.bbox));
    for (const kv of result.keyValues) assertInsidePage(kv.bbox!, kv.key);
  });

  test('should read the employment application form fields as printed', () => {
    const result = normalizeBlocks(fixtureBlocks('test-response.json'), 2);
    const byKey = new Map(result.keyValues.map((kv) => [kv.key, kv]));

    assert.equal(byKey.get('Full Name:')?.value, 'Jane Doe');
    assert.equal(byKey.get('Phone Number:')?.value, '555-0100');
    assert.equal(byKey.get('Home Address:')?.value, '123 Any Street, Any Town. USA');
    assert.equal(byKey.get('Mailing Address:')?.value, 'same as above');
    // The "How did you hear about this position?" checkboxes: only "Job fair" is ticked.
    assert.equal(byKey.get('Job fair')?.value, 'SELECTED');
    assert.equal(byKey.get('Website')?.value, 'NOT_SELECTED');
    assert.equal(byKey.get('Company Employee')?.value, 'NOT_SELECTED');
    // A heading Textract took for a key has nothing after it, and is kept with an empty value.
    assert.equal(byKey.get('Application Information')?.value, '');
    assert.equal(byKey.get('Full Name:')?.confidence, 38.1);
    for (const kv of result.keyValues) assert.equal(kv.page, 2);
  });

  test('should list form fields top to bottom and left to right within a printed row', () => {
    const result = normalizeBlocks(fixtureBlocks('test-response.json'), 1);

    // Website's box starts a hair lower than Company Employee's; they still read left to right.
    assert.deepEqual(result.keyValues.slice(0, 8).map((kv) => kv.key), [
      'Application Information',
      'Full Name:',
      'Phone Number:',
      'Home Address:',
      'Mailing Address:',
      'Job fair',
      'Website',
      'Company Employee',
    ]);
  });

  test('should read the employment history table without its title', () => {
    const result = normalizeBlocks(fixtureBlocks('test-response.json'), 1);

    assert.equal(result.tables.length, 1);
    assert.deepEqual(result.tables[0].rows, [
      ['Start Date', 'End Date', 'Employer Name', 'Position Held', 'Reason for leaving'],
      ['1/15/2009', '6/30/2011', 'Any Company', 'Assistant baker', 'relocated'],
      ['7/1/2011', '8/10/2013', 'Example Corp.', 'Baker', 'better opp.'],
      ['8/15/2013', 'Present', 'AnyCompany', 'head baker', 'N/A, current'],
    ]);
    assert.equal(result.tables[0].confidence, 99.61);
    assert.equal(result.tables[0].page, 1);
  });

  test('should keep every printed line of the form in reading order', () => {
    const result = normalizeBlocks(fixtureBlocks('test-response.json'), 1);

    assert.equal(result.lines.length, 31);
    assert.deepEqual(result.lines.slice(0, 4).map((l) => l.text), [
      'Employment Application',
      'Application Information',
      'Full Name: Jane Doe',
      'Phone Number: 555-0100',
    ]);
    assert.equal(result.lines.at(-1)?.text, 'N/A, current');
  });
});

describe('normalizeBlocks on odd responses', () => {
  test('should return an empty page for no blocks', () => {
    assert.deepEqual(normalizeBlocks([], 4), { page: 4, lines: [], words: [], keyValues: [], tables: [] });
  });

  test('should follow the PAGE block order and append lines it does not list', () => {
    const blocks: Block[] = [
      { BlockType: 'PAGE', Id: 'p', Relationships: [children('l2', 'missing', 'l1', 'l2')] },
      line('l1', 'second'),
      line('l2', 'first'),
      line('l3', 'unlisted'),
    ];

    assert.deepEqual(normalizeBlocks(blocks, 1).lines.map((l) => l.text), ['first', 'second', 'unlisted']);
  });

  test('should use the array order when there is no PAGE block', () => {
    const blocks = [line('a', 'one'), word('w', 'one'), line('b', 'two')];

    assert.deepEqual(normalizeBlocks(blocks, 1).lines.map((l) => l.text), ['one', 'two']);
  });

  test('should give a zero box to a line without geometry and clamp boxes into the page', () => {
    const blocks: Block[] = [
      line('a', 'no geometry', { Geometry: undefined, Confidence: undefined }),
      line('b', 'off the edge', { ...box(-0.02, 0.95, 1.05, 0.1), Confidence: 87.456 }),
      line('c', 'no box', { Geometry: { Polygon: [] } }),
    ];

    const [noGeometry, offEdge, noBox] = normalizeBlocks(blocks, 1).lines;
    assert.deepEqual(noGeometry, { text: 'no geometry', confidence: 0, bbox: { left: 0, top: 0, width: 0, height: 0 } });
    assert.equal(offEdge.confidence, 87.46);
    assert.equal(offEdge.bbox.left, 0);
    assert.equal(offEdge.bbox.width, 1);
    assert.equal(offEdge.bbox.top, 0.95);
    assert.ok(Math.abs(offEdge.bbox.height - 0.05) < 1e-9);
    assert.deepEqual(noBox.bbox, { left: 0, top: 0, width: 0, height: 0 });
  });

  test('should ignore blocks that belong to another page', () => {
    const blocks: Block[] = [
      { BlockType: 'PAGE', Id: 'p1', Page: 1, Relationships: [children('a')] },
      { ...line('a', 'page one'), Page: 1 },
      { BlockType: 'PAGE', Id: 'p2', Page: 2, Relationships: [children('b')] },
      { ...line('b', 'page two'), Page: 2 },
      { ...keyBlock('k', ['kw'], ['v']), Page: 1 },
      { ...word('kw', 'Name:'), Page: 1 },
      { ...valueBlock('v', ['vw']), Page: 1 },
      { ...word('vw', 'from page two'), Page: 2 },
    ];

    const result = normalizeBlocks(blocks, 7);
    assert.deepEqual(result.lines.map((l) => l.text), ['page one']);
    assert.deepEqual(result.keyValues, [{ key: 'Name:', value: '', confidence: 90, page: 7 }]);
  });

  test('should keep a key whose value is missing or points nowhere, with an empty value', () => {
    const blocks: Block[] = [
      keyBlock('k1', ['w1'], ['absent'], box(0.1, 0.1)),
      word('w1', 'Signature:'),
      { BlockType: 'KEY_VALUE_SET', EntityTypes: ['KEY'], Id: 'k2', Confidence: 70, Relationships: [children('w2')], ...box(0.1, 0.2) },
      word('w2', 'Date:'),
      { BlockType: 'KEY_VALUE_SET', EntityTypes: ['KEY'], Id: 'k3', ...box(0.1, 0.3) },
    ];

    const keyValues = normalizeBlocks(blocks, 1).keyValues;
    assert.deepEqual(keyValues.map(({ bbox, ...kv }) => kv), [
      { key: 'Signature:', value: '', confidence: 90, page: 1 },
      { key: 'Date:', value: '', confidence: 70, page: 1 },
    ]);
    assertBoxNear(keyValues[0].bbox, { left: 0.1, top: 0.1, width: 0.1, height: 0.02 });
    assertBoxNear(keyValues[1].bbox, { left: 0.1, top: 0.2, width: 0.1, height: 0.02 });
  });

  test('should box a field around its key and every value, and leave the box out without geometry', () => {
    const blocks: Block[] = [
      keyBlock('k', ['kw'], ['v1', 'v2'], box(0.1, 0.5, 0.2, 0.02)),
      word('kw', 'Colours:'),
      { ...valueBlock('v1', ['w1']), ...box(0.4, 0.49, 0.1, 0.03) },
      word('w1', 'red'),
      { ...valueBlock('v2', ['w2']), ...box(0.6, 0.5, 0.2, 0.02) },
      word('w2', 'green'),
      keyBlock('nowhere', ['nw'], []),
      word('nw', 'Unplaced:'),
    ];

    const [colours, unplaced] = normalizeBlocks(blocks, 1).keyValues;
    assert.equal(colours.value, 'red green');
    assertBoxNear(colours.bbox, { left: 0.1, top: 0.49, width: 0.7, height: 0.03 });
    assert.equal(unplaced.key, 'Unplaced:');
    assert.equal('bbox' in unplaced, false);
  });

  test('should take the lower of key and value confidence', () => {
    const blocks: Block[] = [
      keyBlock('k', ['kw'], ['v'], { Confidence: 95.555 }),
      word('kw', 'Total'),
      valueBlock('v', ['vw'], 41.234),
      word('vw', '12.00'),
    ];

    assert.deepEqual(normalizeBlocks(blocks, 1).keyValues, [{ key: 'Total', value: '12.00', confidence: 41.23, page: 1 }]);
  });

  test('should write checkboxes next to words as marks and a lone checkbox as its status', () => {
    const blocks: Block[] = [
      keyBlock('k1', ['kw1'], ['v1'], box(0.1, 0.1)),
      word('kw1', 'Options'),
      valueBlock('v1', ['s1', 'vw1', 's2', 'vw2']),
      checkbox('s1', true),
      word('vw1', 'Yes'),
      checkbox('s2', false),
      word('vw2', 'No'),
      keyBlock('k2', ['kw2'], ['v2'], box(0.1, 0.2)),
      word('kw2', 'Subscribe'),
      valueBlock('v2', ['s3']),
      { BlockType: 'SELECTION_ELEMENT', Id: 's3' },
    ];

    assert.deepEqual(normalizeBlocks(blocks, 1).keyValues.map((kv) => [kv.key, kv.value]), [
      ['Options', '[X] Yes [ ] No'],
      ['Subscribe', 'NOT_SELECTED'],
    ]);
  });

  test('should trim whitespace from keys but keep their punctuation', () => {
    const blocks: Block[] = [keyBlock('k', ['a', 'b'], []), word('a', ' Date'), word('b', ': ')];

    assert.equal(normalizeBlocks(blocks, 1).keyValues[0].key, 'Date :');
  });

  test('should order keys by row, then left to right, and put keys without geometry last', () => {
    const blocks: Block[] = [
      keyBlock('nowhere', ['w0'], []),
      word('w0', 'unplaced'),
      keyBlock('right', ['w1'], [], box(0.6, 0.1995, 0.1, 0.02)),
      word('w1', 'right'),
      keyBlock('left', ['w2'], [], box(0.1, 0.2005, 0.1, 0.02)),
      word('w2', 'left'),
      keyBlock('below', ['w3'], [], box(0.05, 0.25, 0.1, 0.02)),
      word('w3', 'below'),
      keyBlock('top', ['w4'], [], box(0.9, 0.05, 0.1, 0.02)),
      word('w4', 'top'),
    ];

    assert.deepEqual(normalizeBlocks(blocks, 1).keyValues.map((kv) => kv.key), ['top', 'left', 'right', 'below', 'unplaced']);
  });

  test('should join a merged cell spread over two rows into its top-left position', () => {
    const blocks: Block[] = [
      table('t', ['c11', 'c12', 'c21', 'c22'], ['m']),
      cell('c11', 1, 1, ['w1']),
      cell('c12', 1, 2, ['w2']),
      cell('c21', 2, 1, ['w3']),
      cell('c22', 2, 2, ['w4']),
      { BlockType: 'MERGED_CELL', Id: 'm', RowIndex: 1, ColumnIndex: 1, RowSpan: 2, ColumnSpan: 1, Relationships: [children('c21', 'c11')] },
      word('w1', 'Category'),
      word('w2', 'first'),
      word('w3', 'name'),
      word('w4', 'second'),
    ];

    assert.deepEqual(normalizeBlocks(blocks, 1).tables, [
      { page: 1, rows: [['Category name', 'first'], ['', 'second']], confidence: 97.12 },
    ]);
  });

  test('should fill missing cells with empty strings and skip cells without a usable position', () => {
    const blocks: Block[] = [
      table('t', ['a', 'b', 'nowhere', 'huge', 'fraction', 'absent', 'w'], ['gone']),
      cell('a', 1, 1, ['w']),
      cell('b', 2, 3, ['s']),
      { BlockType: 'CELL', Id: 'nowhere', Relationships: [children('w')] },
      cell('huge', 1e9, 1, ['w']),
      cell('fraction', 1.5, 1, ['w']),
      word('w', 'A'),
      checkbox('s', true),
    ];

    assert.deepEqual(normalizeBlocks(blocks, 1).tables[0].rows, [
      ['A', '', ''],
      ['', '', 'SELECTED'],
    ]);
  });

  test('should leave out a table without cells', () => {
    const blocks: Block[] = [{ BlockType: 'TABLE', Id: 't', Confidence: 80 }, table('t2', ['x'])];

    assert.deepEqual(normalizeBlocks(blocks, 1).tables, []);
  });

  test('should normalise a dense page completely', () => {
    const lineCount = 20_000;
    const blocks: Block[] = [{ BlockType: 'PAGE', Id: 'p', Relationships: [children(...Array.from({ length: lineCount }, (_, i) => `l${i}`))] }];
    for (let i = 0; i < lineCount; i++) {
      blocks.push(line(`l${i}`, `line ${i}`), keyBlock(`k${i}`, [`w${i}`], [], box(0.1, i / lineCount)), word(`w${i}`, `key ${i}`));
    }

    const result = normalizeBlocks(blocks, 1);

    assert.equal(result.lines.length, lineCount);
    assert.equal(result.keyValues.length, lineCount);
    assert.equal(result.keyValues[lineCount - 1]!.key, `key ${lineCount - 1}`);
  });
});

describe('normalizeBlocks with SIGNATURES', () => {
  test('should find the handwritten signature after the printed "Signature:" label', () => {
    const result = normalizeBlocks(fixtureBlocks('test_signature.json'), 2, { features: ['SIGNATURES'] });

    assert.equal(result.signatures!.length, 1);
    const [signature] = result.signatures!;
    assert.equal(signature.page, 2);
    assert.equal(signature.confidence, 54.82);
    assertInsidePage(signature.bbox, 'signature');
    const label = result.lines.find((l) => l.text === 'Immunizer or Health Care Provider Signature: jh Doe')!;
    const signatureWord = result.words.find((w) => w.text === 'Signature:' && holds(label.bbox, w.bbox))!;
    // On the label's line, starting where the label ends.
    assert.ok(Math.abs(signature.bbox.top + signature.bbox.height / 2 - (label.bbox.top + label.bbox.height / 2)) < 0.01);
    assert.ok(signature.bbox.left >= signatureWord.bbox.left + signatureWord.bbox.width - 0.005, JSON.stringify(signature.bbox));
    assert.equal(result.lines.length, 62);
  });

  test('should give an empty list on a page without signatures and leave signatures out when not asked for', () => {
    assert.deepEqual(normalizeBlocks(fixtureBlocks('test_detect_document_text.json'), 1, { features: ['SIGNATURES'] }).signatures, []);
    assert.equal('signatures' in normalizeBlocks(fixtureBlocks('test_signature.json'), 1), false);
  });

  test('should list signatures in the PAGE block order and keep one without geometry with a zero box', () => {
    const blocks: Block[] = [
      { BlockType: 'PAGE', Id: 'p', Relationships: [children('s2', 's1')] },
      { BlockType: 'SIGNATURE', Id: 's1', Confidence: 60, ...box(0.1, 0.8) },
      { BlockType: 'SIGNATURE', Id: 's2', Confidence: 70.126, ...box(0.6, 0.8) },
      { BlockType: 'SIGNATURE', Id: 's3' },
    ];

    const signatures = normalizeBlocks(blocks, 3, { features: ['SIGNATURES'] }).signatures!;
    assert.deepEqual(signatures.map(({ page, confidence }) => [page, confidence]), [[3, 70.13], [3, 60], [3, 0]]);
    assertBoxNear(signatures[0].bbox, { left: 0.6, top: 0.8, width: 0.1, height: 0.02 });
    assertBoxNear(signatures[1].bbox, { left: 0.1, top: 0.8, width: 0.1, height: 0.02 });
    assert.deepEqual(signatures[2].bbox, { left: 0, top: 0, width: 0, height: 0 });
  });
});
