// How fast buildSearchablePdf is: pages per second for 10-page documents made from the Textract
// fixtures (a scanned PDF, a gray TIFF, a black-and-white TIFF), by CPU time of this process (fair
// on a busy machine) and by wall time; then the peak RSS of a fresh process building 100-page ones.
//
//   node --import tsx scripts/searchable-pdf-speed.ts [rounds=5]

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DocumentKind } from '../runtime/engines/types.ts';
import { buildSearchablePdf, type TextLayerPage } from '../runtime/pdf-output/searchable-pdf.ts';
import { encodeGrayTiff } from '../test/helpers/make-documents.ts';
import { bilevelOf, employmentPage, grayOf, textractorPage } from '../test/helpers/ocr-fixtures.ts';
import { scannedPdf } from '../test/helpers/scanned-pdf.ts';

const rounds = Number(process.argv[2] ?? 5);

interface Input {
  name: string;
  kind: DocumentKind;
  bytes: Uint8Array;
  pages: TextLayerPage[];
}

async function inputs(count: number): Promise<Input[]> {
  const fixtures = [textractorPage(), employmentPage()];
  const grays = fixtures.map(grayOf);
  const bilevels = fixtures.map(bilevelOf);
  const pages = Array.from({ length: count }, (_, i) => fixtures[i % 2]);
  const layers = pages.map((fixture, i) => ({ page: i + 1, words: fixture.words }));
  const tiff = (pixels: Uint8Array[]) =>
    encodeGrayTiff(pages.map((f, i) => ({ width: f.width, height: f.height, gray: pixels[i % 2] })));
  return [
    { name: 'scanned PDF', kind: 'pdf', bytes: await (await scannedPdf(pages)).save(), pages: layers },
    { name: 'gray TIFF', kind: 'tiff', bytes: tiff(grays), pages: layers },
    { name: 'bilevel TIFF', kind: 'tiff', bytes: tiff(bilevels), pages: layers },
  ];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const ten = await inputs(10);
  await buildSearchablePdf(ten[0].bytes, ten[0].kind, ten[0].pages); // font, JIT
  for (const input of ten) {
    const cpu: number[] = [];
    const wall: number[] = [];
    let size = 0;
    for (let round = 0; round < rounds; round++) {
      const startCpu = process.cpuUsage();
      const start = performance.now();
      size = (await buildSearchablePdf(input.bytes, input.kind, input.pages)).length;
      wall.push(performance.now() - start);
      const used = process.cpuUsage(startCpu);
      cpu.push((used.user + used.system) / 1000);
    }
    const rate = (ms: number) => ((10 * 1000) / ms).toFixed(1);
    console.log(
      `${input.name.padEnd(13)} 10 pages: ${rate(median(cpu))} pages/s by CPU time (${median(cpu).toFixed(0)} ms), ` +
        `${rate(median(wall))} by wall time; ${(input.bytes.length / 1e6).toFixed(2)} MB in, ${(size / 1e6).toFixed(2)} MB out`,
    );
  }
  // Memory: each 100-page document is built in a process of its own that holds only its input.
  const dir = mkdtempSync(path.join(tmpdir(), 'searchable-pdf-speed-'));
  try {
    for (const input of await inputs(100)) {
      const file = path.join(dir, 'input');
      writeFileSync(file, input.bytes);
      writeFileSync(`${file}.json`, JSON.stringify({ kind: input.kind, pages: input.pages }));
      const peak = execFileSync(process.execPath, ['--import', 'tsx', process.argv[1], '--peak-rss', file], { encoding: 'utf8' });
      console.log(`${input.name.padEnd(13)} 100 pages (${(input.bytes.length / 1e6).toFixed(1)} MB): ${peak.trim()}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function peakRss(file: string): Promise<void> {
  const bytes = readFileSync(file);
  const { kind, pages } = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as { kind: DocumentKind; pages: TextLayerPage[] };
  // VmHWM, not resourceUsage().maxRSS: Linux carries maxRSS over from the parent that forked us.
  const rss = () => (Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024).toFixed(0);
  const before = rss();
  const size = (await buildSearchablePdf(bytes, kind, pages)).length;
  console.log(`peak RSS ${rss()} MB (${before} MB before building), ${(size / 1e6).toFixed(1)} MB out`);
}

(process.argv[2] === '--peak-rss' ? peakRss(process.argv[3]) : main()).catch((error) => {
  console.error(error);
  process.exit(1);
});
