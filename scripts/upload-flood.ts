// Peak memory of the workers under a flood of large uploads (issue 12 #8): N clients at once each
// POST a document of M MB to /ocr, while the workers' RSS is read from /proc every 50 ms; then
// how much they still hold a minute later. Linux only (/proc).
//
//   node --import tsx scripts/upload-flood.ts [--uploads 100] [--mb 9] [--workers 4]
//        [--latency-ms 1000] [--settle-s 60] [--env MAX_INFLIGHT_BYTES=1099511627776 ...]
//
// PostgreSQL: DATABASE_URL when set, else the bench's embedded server. The Textract emulator runs
// as a child process. Each upload is a valid PNG made unique by a small text chunk, with one
// shared 9 MB ancillary chunk, so no two share a cache entry and the client holds one payload.
import http from 'node:http';
import { parseArgs } from 'node:util';
import { startService } from './lib/launch-service.ts';
import { Cleanup, trackPid } from './bench/cleanup.ts';
import { startDatabaseServer } from './bench/database.ts';
import { startEmulatorProcess } from './bench/emulator.ts';
import { memorySum } from './bench/procfs.ts';
import { pngChunk, tinyPng } from '../test/helpers/png.ts';

const { values } = parseArgs({
  options: {
    uploads: { type: 'string', default: '100' },
    mb: { type: 'string', default: '9' },
    workers: { type: 'string', default: '4' },
    'latency-ms': { type: 'string', default: '1000' },
    'settle-s': { type: 'string', default: '60' },
    env: { type: 'string', multiple: true, default: [] },
  },
});
const uploads = Number(values.uploads);
const bytes = Math.round(Number(values.mb) * 1024 * 1024);
const env = Object.fromEntries(values.env!.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

const base = tinyPng('upload-flood');
// Signature (8) and IHDR (25) first, then our chunks, then the image data and IEND.
const [start, rest] = [base.subarray(0, 33), base.subarray(33)];
const padding = pngChunk('flUd', Buffer.alloc(bytes - base.length - 64, 0x5a));

function upload(url: string, i: number): Promise<{ status: number; code?: string }> {
  const unique = Buffer.concat([start, pngChunk('tEXt', Buffer.from(`flood\0${Date.now()}-${i}`, 'latin1'))]);
  const length = unique.length + padding.length + rest.length;
  return new Promise((resolve) => {
    const req = http.request(`${url}/ocr`, { method: 'POST', agent: false, headers: { 'content-type': 'image/png', 'content-length': length } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, code: /"code":"(\w+)"/.exec(text)?.[1] }));
    });
    req.on('error', (err) => resolve({ status: 0, code: (err as NodeJS.ErrnoException).code }));
    req.write(unique);
    req.write(padding);
    req.end(rest);
  });
}

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  try {
    const database = await startDatabaseServer();
    cleanup.defer('stop PostgreSQL', database.stop);
    const emulator = await startEmulatorProcess({ latencyMs: Number(values['latency-ms']), tps: 0 });
    cleanup.defer('stop emulator', emulator.stop);
    const db = await database.create(`flood_${Date.now()}`);
    cleanup.defer('drop database', db.drop);
    const service = await startService({
      databaseUrl: db.url,
      workers: Number(values.workers),
      env: { TEXTRACT_ENDPOINT: emulator.url, TEXTRACT_TPS: '0', OCR_ENGINE: 'textract', ENGINE_CONCURRENCY: String(uploads), SYNC_TIMEOUT_MS: '120000', ...env },
      trackPid,
    });
    cleanup.defer('stop service', async () => void (await service.stop()));
    const pids = service.workerPids();
    const idle = memorySum(pids);

    let peak = idle;
    let peakWorker = 0;
    const sampler = setInterval(() => {
      const now = memorySum(pids);
      if ((now.rssMb ?? 0) > (peak.rssMb ?? 0)) peak = now;
      peakWorker = Math.max(peakWorker, ...now.perWorker.map((w) => w.rssMb ?? 0));
    }, 50);
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: uploads }, (_, i) => upload(service.url, i)));
    const seconds = (Date.now() - started) / 1000;
    clearInterval(sampler);
    const counts: Record<string, number> = {};
    for (const r of results) counts[`${r.status}${r.code ? ` ${r.code}` : ''}`] = (counts[`${r.status}${r.code ? ` ${r.code}` : ''}`] ?? 0) + 1;
    const after = memorySum(pids);
    await new Promise((r) => setTimeout(r, Number(values['settle-s']) * 1000));
    const settled = memorySum(pids);
    const mb = (v: number | null) => (v === null ? '-' : `${Math.round(v)} MB`);
    console.log(`${uploads} × ${values.mb} MB uploads to POST /ocr, ${values.workers} workers, env ${JSON.stringify(env)}`);
    console.log(`answers in ${seconds.toFixed(1)} s: ${JSON.stringify(counts)}; restarts ${service.restarts()}`);
    console.log(`idle RSS ${mb(idle.rssMb)}; peak RSS ${mb(peak.rssMb)} (workers ${peak.perWorker.map((w) => mb(w.rssMb)).join(', ')}; highest single worker ${mb(peakWorker)})`);
    console.log(`right after ${mb(after.rssMb)}; ${values['settle-s']} s later ${mb(settled.rssMb)} RSS, ${mb(settled.pssMb)} PSS (${settled.perWorker.map((w) => mb(w.rssMb)).join(', ')})`);
  } finally {
    const errors = await cleanup.run();
    if (errors.length) console.error(errors.join('\n'));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
