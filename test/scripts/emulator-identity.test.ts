import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AnalyzeIDCommand, type IdentityDocument, type TextractClient } from '@aws-sdk/client-textract';
import { makePng, makeTextPdf } from '../../scripts/emulator/fixtures.ts';
import { startEmulator, type EmulatorHandle } from '../../scripts/emulator/server.ts';
import { assertBlocksShapedLike, byId, childIds, clientFor, errorOf, fixture, keyPaths, rawCall } from './emulator-sdk.ts';

const FRONT = makePng({
  seed: 80,
  labels: [
    'MASSACHUSETTS DRIVER LICENSE', 'Name: MARIA L GARCIA', 'DOB: 03/18/2001', 'DL #: 736HDV7874JSB',
    'Exp: 01/20/2028', 'Iss: 03/18/2018', 'Address: 100 MARKET STREET, BIGTOWN, MA 02801', 'Class: D',
    'Rest: NONE', 'End: NONE',
  ],
});
const BACK = makePng({ seed: 81, labels: ['DRIVER LICENSE', 'Restrictions: B CORRECTIVE LENSES'] });

const fieldsOf = (doc: IdentityDocument): Record<string, string> =>
  Object.fromEntries(doc.IdentityDocumentFields!.map((f) => [f.Type!.Text!, f.ValueDetection!.Text!]));

describe('Textract emulator AnalyzeID through the real AWS SDK', () => {
  let emulator: EmulatorHandle;
  let client: TextractClient;
  before(async () => {
    emulator = await startEmulator();
    client = clientFor(emulator);
  });
  after(async () => {
    client.destroy();
    await emulator.close();
  });

  test('should answer front and back as two identity documents with every standard field', async () => {
    const result = await client.send(new AnalyzeIDCommand({ DocumentPages: [{ Bytes: FRONT }, { Bytes: BACK }] }));
    assert.equal(result.DocumentMetadata?.Pages, 2);
    assert.equal(result.AnalyzeIDModelVersion, '1.0');
    const [front, back] = result.IdentityDocuments!;
    assert.deepEqual(result.IdentityDocuments!.map((d) => d.DocumentIndex), [1, 2]);

    assert.deepEqual(fieldsOf(front), {
      FIRST_NAME: 'MARIA', LAST_NAME: 'GARCIA', MIDDLE_NAME: 'L', SUFFIX: '',
      CITY_IN_ADDRESS: 'BIGTOWN', ZIP_CODE_IN_ADDRESS: '02801', STATE_IN_ADDRESS: 'MA', STATE_NAME: 'MASSACHUSETTS',
      DOCUMENT_NUMBER: '736HDV7874JSB', EXPIRATION_DATE: '01/20/2028', DATE_OF_BIRTH: '03/18/2001', DATE_OF_ISSUE: '03/18/2018',
      ID_TYPE: 'DRIVER LICENSE FRONT', ENDORSEMENTS: 'NONE', VETERAN: '', RESTRICTIONS: 'NONE', CLASS: 'D',
      ADDRESS: '100 MARKET STREET', COUNTY: '', PLACE_OF_BIRTH: '', MRZ_CODE: '',
    });
    const dates = Object.fromEntries(front.IdentityDocumentFields!.filter((f) => f.ValueDetection?.NormalizedValue).map((f) => [f.Type!.Text!, f.ValueDetection!.NormalizedValue]));
    assert.deepEqual(dates, {
      EXPIRATION_DATE: { Value: '2028-01-20T00:00:00', ValueType: 'Date' },
      DATE_OF_BIRTH: { Value: '2001-03-18T00:00:00', ValueType: 'Date' },
      DATE_OF_ISSUE: { Value: '2018-03-18T00:00:00', ValueType: 'Date' },
    });
    for (const f of front.IdentityDocumentFields!) assert.ok(f.ValueDetection!.Confidence! > 80 && f.ValueDetection!.Confidence! <= 100, f.Type!.Text);

    const backFields = fieldsOf(back);
    assert.equal(backFields.ID_TYPE, 'DRIVER LICENSE BACK');
    assert.equal(backFields.RESTRICTIONS, 'B CORRECTIVE LENSES');
    assert.equal(backFields.FIRST_NAME, '', 'the back names nobody');
    assert.deepEqual(Object.keys(backFields), Object.keys(fieldsOf(front)), 'both sides list the same fields in the same order');
  });

  test('should give each side its own PAGE, LINE and WORD blocks, words carrying the side\'s page number', async () => {
    const result = await client.send(new AnalyzeIDCommand({ DocumentPages: [{ Bytes: FRONT }, { Bytes: BACK }] }));
    const [front, back] = result.IdentityDocuments!;
    for (const [doc, page, second] of [[front, 1, 'MASSACHUSETTS DRIVER LICENSE'], [back, 2, 'DRIVER LICENSE']] as const) {
      const blocks = doc.Blocks!;
      const ids = byId(blocks);
      assert.equal(blocks[0].BlockType, 'PAGE');
      assert.equal(ids.get(childIds(blocks[0])[1])!.Text, second);
      assert.ok(blocks.filter((b) => b.BlockType === 'WORD').every((w) => w.Page === page));
    }
    const frontIds = new Set(front.Blocks!.map((b) => b.Id));
    assert.ok(back.Blocks!.every((b) => !frontIds.has(b.Id)), 'ids are unique across the sides');
    const same = await client.send(new AnalyzeIDCommand({ DocumentPages: [{ Bytes: FRONT }, { Bytes: FRONT }] }));
    const [a, b] = same.IdentityDocuments!;
    assert.ok(a.Blocks!.every((block, i) => block.Id !== b.Blocks![i].Id), 'identical sides still get distinct ids');
  });

  test('should read a passport from a PDF, with its machine-readable zone and day-month-year dates', async () => {
    const lines = [
      'UNITED STATES OF AMERICA PASSPORT', 'Surname: TRAVELER', 'Given Names: HAPPY', 'Passport No: 963545637',
      'Date of Birth: 15 MAR 1996', 'Place of Birth: CALIFORNIA, U.S.A.', 'Date of Issue: 14 APR 2017', 'Date of Expiration: 14 APR 2027',
      'P<USATRAVELER<<HAPPY<<<<<<<<<<<<<<<<<<<<<<<<', '9635456374USA9603150F2704140<<<<<<<<<<<<<<<0',
    ];
    const pdf = await makeTextPdf([lines.map((text, i) => ({ text, x: 40, y: 740 - i * 20, size: 10 }))]);
    const [passport] = (await client.send(new AnalyzeIDCommand({ DocumentPages: [{ Bytes: pdf }] }))).IdentityDocuments!;
    const fields = fieldsOf(passport);
    assert.equal(fields.ID_TYPE, 'PASSPORT');
    assert.equal(fields.LAST_NAME, 'TRAVELER');
    assert.equal(fields.FIRST_NAME, 'HAPPY');
    assert.equal(fields.DOCUMENT_NUMBER, '963545637');
    assert.equal(fields.PLACE_OF_BIRTH, 'CALIFORNIA, U.S.A.');
    assert.equal(fields.MRZ_CODE, `${lines[8]}\n${lines[9]}`);
    const birth = passport.IdentityDocumentFields!.find((f) => f.Type?.Text === 'DATE_OF_BIRTH')!;
    assert.deepEqual(birth.ValueDetection?.NormalizedValue, { Value: '1996-03-15T00:00:00', ValueType: 'Date' });
  });

  test('should return empty fields for a page that is no identity document', async () => {
    const [doc] = (await client.send(new AnalyzeIDCommand({ DocumentPages: [{ Bytes: makePng({ seed: 82 }) }] }))).IdentityDocuments!;
    assert.equal(doc.IdentityDocumentFields!.length, 21);
    assert.ok(doc.IdentityDocumentFields!.every((f) => f.ValueDetection!.Text === '' && f.ValueDetection!.NormalizedValue === undefined));
  });

  test('should refuse no pages or more than two with InvalidParameterException, and a bad side as a bad document', async () => {
    for (const pages of [[], [FRONT, BACK, FRONT]]) {
      const err = await errorOf(client.send(new AnalyzeIDCommand({ DocumentPages: pages.map((Bytes) => ({ Bytes })) })));
      assert.equal(err.name, 'InvalidParameterException', `${pages.length} pages`);
      assert.equal(err.$metadata?.httpStatusCode, 400);
    }
    const badBack = makePng({ seed: 83, text: { Comment: 'DTAT-EMULATOR:BAD_DOCUMENT' } });
    assert.equal((await errorOf(client.send(new AnalyzeIDCommand({ DocumentPages: [{ Bytes: FRONT }, { Bytes: badBack }] })))).name, 'BadDocumentException');
    const twoPagePdf = await makeTextPdf([[{ text: 'one', x: 72, y: 700 }], [{ text: 'two', x: 72, y: 700 }]]);
    assert.equal((await errorOf(client.send(new AnalyzeIDCommand({ DocumentPages: [{ Bytes: twoPagePdf }] })))).name, 'UnsupportedDocumentException');
  });

  test('should answer the same pages byte-identically, from another emulator too', async () => {
    const body = { DocumentPages: [{ Bytes: FRONT.toString('base64') }, { Bytes: BACK.toString('base64') }] };
    const other = await startEmulator();
    try {
      // A second emulator has an empty cache, so this compares two derivations, not one cached answer.
      assert.equal(await rawCall(other, 'AnalyzeID', body), await rawCall(emulator, 'AnalyzeID', body));
    } finally {
      await other.close();
    }
  });

  test('should be shaped like a real AnalyzeID response', async () => {
    const mine = await client.send(new AnalyzeIDCommand({ DocumentPages: [{ Bytes: FRONT }] }));
    const real = fixture('test_analyze_id_from_image.json');
    assert.deepEqual([...keyPaths(mine)].sort(), [...keyPaths(real)].sort());
    const realBlocks = (real.IdentityDocuments as { Blocks: object[] }[])[0].Blocks;
    assertBlocksShapedLike(mine.IdentityDocuments![0].Blocks!, realBlocks, ['PAGE', 'LINE', 'WORD']);
    const realTypes = (real.IdentityDocuments as { IdentityDocumentFields: { Type: { Text: string } }[] }[])[0].IdentityDocumentFields.map((f) => f.Type.Text);
    assert.deepEqual(mine.IdentityDocuments![0].IdentityDocumentFields!.map((f) => f.Type!.Text), realTypes);
  });
});
