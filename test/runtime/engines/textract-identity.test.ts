import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalyzeIDResponse, Block } from '@aws-sdk/client-textract';
import { normalizeIdentity } from '../../../runtime/engines/textract-identity.ts';
import { assertInsidePage, children, fixture, line, word } from '../../helpers/textract-blocks.ts';

const licence = () => fixture<AnalyzeIDResponse>('test_analyze_id_from_image.json');

/** One page as AnalyzeID writes it: PAGE and LINE blocks without Page, WORD blocks numbered from 0. */
function pageBlocks(prefix: string, texts: string[], wordPage: number): Block[] {
  const blocks: Block[] = [{ BlockType: 'PAGE', Id: `${prefix}-page`, Relationships: [children(...texts.map((_, i) => `${prefix}-l${i}`))] }];
  texts.forEach((text, i) => {
    blocks.push(line(`${prefix}-l${i}`, text, { Relationships: [children(`${prefix}-w${i}`)] }));
    blocks.push({ ...word(`${prefix}-w${i}`, text), Page: wordPage });
  });
  return blocks;
}

const textOf = (pages: { lines: { text: string }[] }[]) => pages.map((p) => p.lines.map((l) => l.text));

describe('normalizeIdentity on a real AnalyzeID response (a Massachusetts driver licence)', () => {
  test('should read the licence fields as Textract typed them', () => {
    const { identityDocuments } = normalizeIdentity(licence(), [1]);

    assert.equal(identityDocuments.length, 1);
    assert.equal(identityDocuments[0].index, 1);
    const fields = identityDocuments[0].fields;
    assert.equal(fields.length, 21);
    const byType = new Map(fields.map((f) => [f.type, f]));
    // Textract's reading of the printed "1 MARÍA / 2 GARCÍA", passed on as given.
    assert.deepEqual(byType.get('FIRST_NAME'), { type: 'FIRST_NAME', value: 'GARCIA', confidence: 98.51 });
    assert.deepEqual(byType.get('LAST_NAME'), { type: 'LAST_NAME', value: 'MARIA', confidence: 98.27 });
    assert.deepEqual(byType.get('DOCUMENT_NUMBER'), { type: 'DOCUMENT_NUMBER', value: '736HDV7874JSB', confidence: 94.33 });
    assert.deepEqual(byType.get('ADDRESS'), { type: 'ADDRESS', value: '100 MARKET STREET', confidence: 97.23 });
    assert.deepEqual(byType.get('ID_TYPE'), { type: 'ID_TYPE', value: 'DRIVER LICENSE FRONT', confidence: 97.07 });
  });

  test('should give dates both as printed and as ISO dates', () => {
    const byType = new Map(normalizeIdentity(licence(), [1]).identityDocuments[0].fields.map((f) => [f.type, f]));

    assert.deepEqual(byType.get('DATE_OF_BIRTH'), {
      type: 'DATE_OF_BIRTH', value: '03/18/2001', normalizedValue: '2001-03-18T00:00:00', valueType: 'Date', confidence: 94.74,
    });
    assert.deepEqual(byType.get('EXPIRATION_DATE'), {
      type: 'EXPIRATION_DATE', value: '01/20/2028', normalizedValue: '2028-01-20T00:00:00', valueType: 'Date', confidence: 97.54,
    });
    assert.deepEqual(byType.get('DATE_OF_ISSUE')?.normalizedValue, '2018-03-18T00:00:00');
  });

  test('should keep the entries the licence does not have, with an empty value', () => {
    const byType = new Map(normalizeIdentity(licence(), [1]).identityDocuments[0].fields.map((f) => [f.type, f]));

    assert.deepEqual(byType.get('MIDDLE_NAME'), { type: 'MIDDLE_NAME', value: '', confidence: 99.19 });
    for (const type of ['SUFFIX', 'VETERAN', 'COUNTY', 'PLACE_OF_BIRTH', 'MRZ_CODE']) assert.equal(byType.get(type)?.value, '', type);
  });

  test('should put every line and word of the licence on the page it was sent as', () => {
    const output = licence();
    const { pages } = normalizeIdentity(output, [4]);
    const wordBlocks = output.IdentityDocuments![0].Blocks!.filter((b) => b.BlockType === 'WORD');

    assert.equal(pages.length, 1);
    assert.equal(pages[0].page, 4);
    assert.equal(pages[0].lines.length, 31);
    assert.deepEqual(pages[0].lines.slice(0, 3).map((l) => l.text), ['MASSACHUSETTS', 'DRIVER', 'LICENSE']);
    assert.ok(pages[0].lines.some((l) => l.text === 'María García'));
    // Its WORD blocks say Page 0; each is still kept, once, in line order.
    assert.ok(wordBlocks.every((b) => b.Page === 0));
    assert.equal(pages[0].words.length, wordBlocks.length);
    assert.equal(pages[0].words.map((w) => w.text).join(' '), pages[0].lines.map((l) => l.text).join(' '));
    for (const w of pages[0].words) assertInsidePage(w.bbox, w.text);
    assert.deepEqual(pages[0].keyValues, []);
    assert.deepEqual(pages[0].tables, []);
  });
});

describe('normalizeIdentity on front and back, and on odd responses', () => {
  test('should give an empty page per page sent for an empty response', () => {
    assert.deepEqual(normalizeIdentity({}, [1, 2]), {
      identityDocuments: [],
      pages: [
        { page: 1, lines: [], words: [], keyValues: [], tables: [] },
        { page: 2, lines: [], words: [], keyValues: [], tables: [] },
      ],
    });
  });

  test('should give the front and the back their own lines when each is its own document', () => {
    const output: AnalyzeIDResponse = {
      IdentityDocuments: [
        { DocumentIndex: 1, Blocks: pageBlocks('front', ['DRIVER LICENSE', 'JANE DOE'], 0), IdentityDocumentFields: [] },
        { DocumentIndex: 2, Blocks: pageBlocks('back', ['ORGAN DONOR'], 1), IdentityDocumentFields: [] },
      ],
    };

    const { identityDocuments, pages } = normalizeIdentity(output, [3, 4]);
    assert.deepEqual(identityDocuments.map((d) => d.index), [1, 2]);
    assert.deepEqual(pages.map((p) => p.page), [3, 4]);
    assert.deepEqual(textOf(pages), [['DRIVER LICENSE', 'JANE DOE'], ['ORGAN DONOR']]);
    assert.deepEqual(pages.map((p) => p.words.map((w) => w.text)), [['DRIVER LICENSE', 'JANE DOE'], ['ORGAN DONOR']]);
  });

  test('should split one document holding both pages by its PAGE blocks, and read repeated blocks once', () => {
    const front = pageBlocks('front', ['PASSPORT'], 0);
    const back = pageBlocks('back', ['ENDORSEMENTS'], 0);
    const output: AnalyzeIDResponse = {
      IdentityDocuments: [{ Blocks: [...front, ...back] }, { Blocks: structuredClone(back) }],
    };

    const { identityDocuments, pages } = normalizeIdentity(output, [1, 2]);
    assert.deepEqual(identityDocuments, [{ index: 1, fields: [] }, { index: 2, fields: [] }]);
    assert.deepEqual(textOf(pages), [['PASSPORT'], ['ENDORSEMENTS']]);
  });

  test('should keep a line no PAGE block lists with its document, and put a surplus page on the last one', () => {
    const output: AnalyzeIDResponse = {
      IdentityDocuments: [
        { Blocks: [...pageBlocks('a', ['FRONT'], 0), line('stray', 'unlisted on the front')] },
        { Blocks: pageBlocks('b', ['BACK'], 1) },
        { Blocks: [...pageBlocks('c', ['EXTRA'], 2), line('stray2', 'unlisted on the extra page')] },
        { Blocks: [line('homeless', 'no page at all')] },
      ],
    };

    assert.deepEqual(textOf(normalizeIdentity(output, [5, 6]).pages), [
      ['FRONT', 'unlisted on the front', 'no page at all'],
      ['BACK', 'EXTRA', 'unlisted on the extra page'],
    ]);
  });

  test('should skip fields without a type or a value and keep reading the rest', () => {
    const output: AnalyzeIDResponse = {
      IdentityDocuments: [
        {
          IdentityDocumentFields: [
            { Type: { Text: 'FIRST_NAME' } },
            { ValueDetection: { Text: 'orphan value', Confidence: 90 } },
            { Type: { Text: '' }, ValueDetection: { Text: 'nameless', Confidence: 90 } },
            { Type: { Text: 'LAST_NAME', Confidence: 60.5 }, ValueDetection: { Text: 'DOE', Confidence: 99 } },
            { Type: { Text: 'DATE_OF_BIRTH' }, ValueDetection: { Text: '1 Jan 1990', NormalizedValue: { Value: '' } } },
          ],
        },
      ],
    };

    assert.deepEqual(normalizeIdentity(output, [1]).identityDocuments, [
      {
        index: 1,
        fields: [
          { type: 'LAST_NAME', value: 'DOE', confidence: 60.5 },
          { type: 'DATE_OF_BIRTH', value: '1 Jan 1990', confidence: 0 },
        ],
      },
    ]);
  });

  test('should drop the text when no page numbers were given, and still read the fields', () => {
    const result = normalizeIdentity(licence(), []);

    assert.deepEqual(result.pages, []);
    assert.equal(result.identityDocuments[0].fields.length, 21);
  });
});
