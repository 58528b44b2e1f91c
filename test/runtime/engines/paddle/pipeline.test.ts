import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rasterisePage } from '../../../../runtime/documents/raster.ts';
import type { GrayRaster } from '../../../../runtime/documents/raster.ts';
import { loadPaddleModels, type PaddleModels } from '../../../../runtime/engines/paddle/models.ts';
import { PIPELINE_DEFAULTS, readPage, type PipelineOptions } from '../../../../runtime/engines/paddle/pipeline.ts';
import { toPageResult } from '../../../../runtime/engines/paddle/result.ts';
import { matchWords } from '../../../../scripts/bench/word-match.ts';
import { iou, realDocument, textractBlocks } from '../../../helpers/real-documents.ts';

// The PaddleOCR pipeline's steps, each on a real document against what Amazon Textract read there.
describe('PaddleOCR pipeline on real documents', () => {
  let models: PaddleModels;
  const rasters = new Map<string, GrayRaster>();

  async function page(name: string): Promise<GrayRaster> {
    if (!rasters.has(name)) {
      const kind = name.endsWith('.pdf') ? 'pdf' : name.endsWith('.jpg') ? 'jpeg' : 'png';
      rasters.set(name, await rasterisePage({ page: 1, kind, bytes: realDocument(name) }));
    }
    return rasters.get(name)!;
  }

  async function read(name: string, options: Partial<PipelineOptions> = {}, using = models) {
    const raster = await page(name);
    const { lines, timings } = await readPage(raster, using, { ...PIPELINE_DEFAULTS, ...options });
    const result = toPageResult(1, raster, lines);
    const text = result.lines.map((l) => l.text).join('\n');
    const expected = textractBlocks(name, 'WORD').map((w) => w.text).join(' ');
    return { result, text, timings, match: matchWords(expected, text) };
  }

  before(async () => {
    models = await loadPaddleModels({ threads: 1 });
  });
  after(() => models?.release());

  it('should read a clean digital page as Textract does, with word boxes where Textract put them', async (t) => {
    const { result, match } = await read('single-page-1.png');
    assert.ok(match.recall >= 0.95 && match.precision >= 0.95, JSON.stringify(match));
    // Lines as Textract has them: the large title's words joined, its two rows apart.
    const theirLines = textractBlocks('single-page-1.png', 'LINE').map((l) => l.text);
    assert.deepEqual(result.lines.slice(0, 5).map((l) => l.text), theirLines.slice(0, 5));
    // Every word Textract found once on the page is found in about the same place.
    const theirs = textractBlocks('single-page-1.png', 'WORD');
    const unique = theirs.filter((w) => theirs.filter((o) => o.text === w.text).length === 1);
    const overlaps = unique.map((w) => {
      const ours = result.words.find((o) => o.text === w.text);
      return ours ? iou(ours.bbox, w.bbox) : 0;
    });
    const good = overlaps.filter((o) => o >= 0.5).length;
    t.diagnostic(`${good} of ${unique.length} word boxes overlap Textract's by half or more`);
    assert.ok(good >= unique.length * 0.9, `${good} of ${unique.length} word boxes overlap Textract's by half or more`);
    for (const word of result.words) assert.ok(word.confidence > 0 && word.confidence <= 100);
  });

  it('should put back the spaces the recogniser runs together', async (t) => {
    const without = await read('default_document_4.png', { spaceGap: 0 });
    const withSpaces = await read('default_document_4.png');
    t.diagnostic(`recall without ${without.match.recall.toFixed(3)}, with ${withSpaces.match.recall.toFixed(3)}`);
    assert.match(without.text, /Mailing ?Address:same asabove/);
    assert.match(withSpaces.text, /Address: same as above/);
    assert.ok(withSpaces.match.recall >= without.match.recall + 0.1, `recall ${without.match.recall} → ${withSpaces.match.recall}`);
  });

  it('should detect small text again at a larger scale', async () => {
    const once = await read('screenshot.png', { targetLineHeight: 0 });
    const twice = await read('screenshot.png');
    assert.equal(once.timings.detectPasses, 1);
    assert.equal(twice.timings.detectPasses, 2);
    assert.ok(twice.match.recall > once.match.recall, `recall ${once.match.recall} → ${twice.match.recall}`);
  });

  it('should read a word the detector cut in two once', async () => {
    const { text } = await read('single-page-1.png');
    assert.match(text, /^Textractor Test\n/);
  });

  it('should read only Latin script when asked, without losing words', async () => {
    const latin = await read('receipt.jpg');
    const any = await read('receipt.jpg', {}, { ...models, mask: undefined });
    assert.doesNotMatch(latin.text, /[^\u0000-\u024f\u2010-\u205e\u20a0-\u22ff\u25a0-\u25ff\u2610-\u2612\u2713-\u2717]/u);
    assert.ok(latin.match.recall >= any.match.recall, `recall ${any.match.recall} → ${latin.match.recall}`);
  });
});
