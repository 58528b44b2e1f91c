import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AnalyzeDocumentCommand, type AnalyzeDocumentCommandInput, type Block, type TextractClient } from '@aws-sdk/client-textract';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { makePng } from '../../scripts/emulator/fixtures.ts';
import { startEmulator, type EmulatorHandle } from '../../scripts/emulator/server.ts';
import { assertBlocksShapedLike, byId, childIds, clientFor, errorOf, fixture, rawCall } from './emulator-sdk.ts';

/** A report page in PDF points: title, heading, paragraph, list, form fields, a table, a photo, a page number. */
async function reportPdf(): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage([612, 792]);
  const text = (t: string, x: number, y: number, size = 11): void => page.drawText(t, { x, y, size, font });
  text('Annual Report', 72, 720, 26);
  text('OVERVIEW', 72, 676, 13);
  text('The year went well for everyone involved in the work.', 72, 656);
  text('Revenue grew in all of the regions that we serve.', 72, 642);
  text('- Lower costs', 72, 616);
  text('- Higher sales', 72, 602);
  text('Prepared by:', 72, 570);
  text('Jane Roe', 250, 570);
  text('Signature: Jane Roe', 72, 552);
  text('Region', 72, 500);
  text('Sales', 250, 500);
  text('North', 72, 486);
  text('120', 250, 486);
  text('South', 72, 472);
  text('95', 250, 472);
  page.drawImage(await pdf.embedPng(makePng({ width: 64, height: 64, seed: 90 })), { x: 360, y: 300, width: 144, height: 144 });
  text('Page 1 of 1', 280, 30, 9);
  return Buffer.from(await pdf.save({ useObjectStreams: false }));
}

const analyze = (client: TextractClient, bytes: Uint8Array, input: Omit<AnalyzeDocumentCommandInput, 'Document'>) =>
  client.send(new AnalyzeDocumentCommand({ Document: { Bytes: bytes }, ...input }));

const linesOf = (block: Block, ids: Map<string, Block>): string[] => childIds(block).map((id) => ids.get(id)!.Text!);

describe('Textract emulator AnalyzeDocument SIGNATURES, LAYOUT and QUERIES through the real AWS SDK', () => {
  let emulator: EmulatorHandle;
  let client: TextractClient;
  let report: Buffer;
  before(async () => {
    emulator = await startEmulator();
    client = clientFor(emulator);
    report = await reportPdf();
  });
  after(async () => {
    client.destroy();
    await emulator.close();
  });

  test('should find a signature where a signature label has something written after it, and none elsewhere', async () => {
    const signed = makePng({ seed: 91, labels: ['Customer Signature: J. Smith'] });
    const blocks = (await analyze(client, signed, { FeatureTypes: ['SIGNATURES'] })).Blocks!;
    const signatures = blocks.filter((b) => b.BlockType === 'SIGNATURE');
    assert.equal(signatures.length, 1);
    const words = blocks.filter((b) => b.BlockType === 'WORD' && ['J.', 'Smith'].includes(b.Text!));
    const box = signatures[0].Geometry!.BoundingBox!;
    assert.ok(Math.abs(box.Left! - words[0].Geometry!.BoundingBox!.Left!) < 1e-6, 'the signature starts at the written name');
    assert.ok(box.Width! > 0 && box.Height! > 0);
    assert.ok(signatures[0].Confidence! > 50 && signatures[0].Confidence! < 100);
    assert.ok(childIds(blocks[0]).includes(signatures[0].Id!), 'the PAGE lists its signature');

    for (const unsigned of [makePng({ seed: 92 }), makePng({ seed: 93, labels: ['Signature:'] })]) {
      const none = (await analyze(client, unsigned, { FeatureTypes: ['SIGNATURES'] })).Blocks!;
      assert.equal(none.filter((b) => b.BlockType === 'SIGNATURE').length, 0);
    }
  });

  test('should lay out a page as title, header, text, list, key-values, table, figure and page number in reading order', async () => {
    const blocks = (await analyze(client, report, { FeatureTypes: ['LAYOUT'] })).Blocks!;
    const ids = byId(blocks);
    const pageChildren = childIds(blocks[0]).map((id) => ids.get(id)!);
    const layout = pageChildren.filter((b) => b.BlockType!.startsWith('LAYOUT_'));
    assert.deepEqual(layout.map((b) => b.BlockType), [
      'LAYOUT_TITLE', 'LAYOUT_SECTION_HEADER', 'LAYOUT_TEXT', 'LAYOUT_LIST', 'LAYOUT_KEY_VALUE', 'LAYOUT_TABLE', 'LAYOUT_FIGURE', 'LAYOUT_PAGE_NUMBER',
    ]);
    const [title, header, text, list, keyValue, table, figure, pageNumber] = layout;
    assert.deepEqual(linesOf(title, ids), ['Annual Report']);
    assert.deepEqual(linesOf(header, ids), ['OVERVIEW']);
    assert.deepEqual(linesOf(text, ids), ['The year went well for everyone involved in the work.', 'Revenue grew in all of the regions that we serve.']);
    const items = childIds(list).map((id) => ids.get(id)!);
    assert.deepEqual(items.map((i) => i.BlockType), ['LAYOUT_TEXT', 'LAYOUT_TEXT']);
    assert.deepEqual(items.map((i) => linesOf(i, ids)), [['- Lower costs'], ['- Higher sales']]);
    assert.deepEqual(linesOf(keyValue, ids), ['Prepared by:', 'Jane Roe', 'Signature: Jane Roe']);
    assert.deepEqual(linesOf(table, ids), ['Region', 'Sales', 'North', '120', 'South', '95']);
    assert.deepEqual(linesOf(pageNumber, ids), ['Page 1 of 1']);

    assert.equal(figure.Relationships, undefined, 'a figure has no lines');
    const photo = figure.Geometry!.BoundingBox!;
    for (const [got, want] of [[photo.Left!, 360 / 612], [photo.Top!, (792 - 444) / 792], [photo.Width!, 144 / 612], [photo.Height!, 144 / 792]]) {
      assert.ok(Math.abs(got - want) < 0.005, `figure box ${JSON.stringify(photo)}`);
    }
    for (const block of layout) assert.ok(block.Confidence! > 0 && block.Confidence! <= 100);
    const laidOut = new Set(layout.flatMap((b) => [...childIds(b), ...childIds(b).flatMap((id) => childIds(ids.get(id)!))]));
    const lines = blocks.filter((b) => b.BlockType === 'LINE');
    assert.ok(lines.every((l) => laidOut.has(l.Id!)), 'every line belongs to a layout element');
  });

  test('should answer queries on page 1 only when their Pages cover it, echoing Alias and Pages', async () => {
    const png = makePng({ seed: 94, labels: ['Policy Holder: Jane Roe', 'Due Date: 2024-05-01'] });
    const result = await analyze(client, png, {
      FeatureTypes: ['QUERIES'],
      QueriesConfig: {
        Queries: [
          { Text: 'Who is the policy holder?', Alias: 'HOLDER', Pages: ['1'] },
          { Text: 'What is the due date?', Pages: ['*'] },
          { Text: 'Who is the policy holder on page two?', Pages: ['2-*'] },
          { Text: 'When is the due date of it?', Pages: ['1-3'] },
        ],
      },
    });
    const blocks = result.Blocks!;
    const ids = byId(blocks);
    const queries = blocks.filter((b) => b.BlockType === 'QUERY');
    assert.deepEqual(queries.map((q) => q.Query), [
      { Text: 'Who is the policy holder?', Alias: 'HOLDER', Pages: ['1'] },
      { Text: 'What is the due date?', Pages: ['*'] },
      { Text: 'When is the due date of it?', Pages: ['1-3'] },
    ]);
    const answers = queries.map((q) => childIds(q, 'ANSWER').map((id) => ids.get(id)!));
    assert.deepEqual(answers.map((a) => a.map((b) => [b.BlockType, b.Text])), [
      [['QUERY_RESULT', 'Jane Roe']], [['QUERY_RESULT', '2024-05-01']], [['QUERY_RESULT', '2024-05-01']],
    ]);
    const pageChildren = new Set(childIds(blocks[0]));
    assert.ok([...queries, ...answers.flat()].every((b) => pageChildren.has(b.Id!)), 'the PAGE lists queries and their answers');
  });

  test('should refuse malformed query pages and more than 15 queries with InvalidParameterException', async () => {
    const png = makePng({ seed: 95 });
    for (const Queries of [[{ Text: 'Who?', Pages: ['0'] }], [{ Text: 'Who?', Pages: ['one'] }], Array.from({ length: 16 }, (_, i) => ({ Text: `Question ${i}?` }))]) {
      const err = await errorOf(analyze(client, png, { FeatureTypes: ['QUERIES'], QueriesConfig: { Queries } }));
      assert.equal(err.name, 'InvalidParameterException', JSON.stringify(Queries[0]));
    }
  });

  test('should combine all five features without changing what fewer features returned', async () => {
    const queries = { QueriesConfig: { Queries: [{ Text: 'Who is it prepared by?', Alias: 'BY' }] } };
    const all = (await analyze(client, report, { FeatureTypes: ['TABLES', 'FORMS', 'QUERIES', 'SIGNATURES', 'LAYOUT'], ...queries })).Blocks!;
    const types = new Set(all.map((b) => b.BlockType));
    for (const type of ['PAGE', 'LINE', 'WORD', 'TABLE', 'CELL', 'KEY_VALUE_SET', 'QUERY', 'QUERY_RESULT', 'SIGNATURE', 'LAYOUT_TITLE', 'LAYOUT_TABLE']) {
      assert.ok(types.has(type as Block['BlockType']), `has ${type}`);
    }
    const ids = byId(all);
    assert.equal(ids.size, all.length, 'ids are unique');
    for (const block of all) for (const rel of block.Relationships ?? []) for (const id of rel.Ids ?? []) assert.ok(ids.has(id), `${block.BlockType} → ${id} resolves`);
    assert.equal(ids.get(childIds(all.find((b) => b.BlockType === 'QUERY')!, 'ANSWER')[0])!.Text, 'Jane Roe');

    const textIds = (blocks: Block[]): string[] => blocks.filter((b) => b.BlockType === 'LINE' || b.BlockType === 'WORD').map((b) => b.Id!);
    for (const FeatureTypes of [['TABLES'], ['LAYOUT'], ['FORMS', 'SIGNATURES']] as const) {
      const fewer = (await analyze(client, report, { FeatureTypes: [...FeatureTypes] })).Blocks!;
      assert.deepEqual(textIds(fewer), textIds(all), `${FeatureTypes}: lines and words keep their ids`);
    }
  });

  test('should answer the same bytes and features byte-identically, from another emulator too', async () => {
    const body = {
      Document: { Bytes: report.toString('base64') },
      FeatureTypes: ['TABLES', 'FORMS', 'QUERIES', 'SIGNATURES', 'LAYOUT'],
      QueriesConfig: { Queries: [{ Text: 'Who is it prepared by?' }] },
    };
    const other = await startEmulator();
    try {
      // A second emulator has an empty cache, so this compares two derivations, not one cached answer.
      assert.equal(await rawCall(other, 'AnalyzeDocument', body), await rawCall(emulator, 'AnalyzeDocument', body));
    } finally {
      await other.close();
    }
  });

  test('should shape QUERY, SIGNATURE and LAYOUT blocks like the real responses', async () => {
    const signed = makePng({ seed: 96, labels: ['Name: John Doe', 'Signature: jh Doe'] });
    const withQueries = (await analyze(client, signed, { FeatureTypes: ['QUERIES', 'SIGNATURES'], QueriesConfig: { Queries: [{ Text: 'What is the name?' }] } })).Blocks!;
    const laidOut = (await analyze(client, report, { FeatureTypes: ['LAYOUT'] })).Blocks!;
    // The emulator puts Page on every block, as multi-page responses do; these sync fixtures have none.
    const ignore = ['Page'];
    assertBlocksShapedLike(withQueries, fixture('test_queries_as_strings.json').Blocks as object[], ['PAGE', 'LINE', 'WORD', 'QUERY', 'QUERY_RESULT'], ignore);
    assertBlocksShapedLike(withQueries, fixture('test_signature.json').Blocks as object[], ['SIGNATURE'], ignore);
    assertBlocksShapedLike(laidOut, fixture('test_document_to_html_single-page-1.png.json').Blocks as object[],
      ['LAYOUT_TITLE', 'LAYOUT_SECTION_HEADER', 'LAYOUT_TEXT', 'LAYOUT_TABLE', 'LAYOUT_FIGURE'], ignore);
  });
});
