// How many calls per second the emulator sustains at 0 ms latency, driven by the real SDK with
// ~100 KB PNGs. Run the emulator in its own process to measure the emulator rather than this client:
//   npm run emulator -- --port 9400 &
//   node --import tsx scripts/emulator/selfbench.ts --url http://127.0.0.1:9400 --seconds 10 --concurrency 32
// Without --url it starts an emulator in this process (client and emulator then share one core).
import { parseArgs } from 'node:util';
import { DetectDocumentTextCommand, TextractClient } from '@aws-sdk/client-textract';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { makePng } from './fixtures.ts';
import { startEmulator, type EmulatorStats } from './server.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '32' },
    documents: { type: 'string', default: '50' },
  },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const local = values.url ? null : await startEmulator();
const url = values.url ?? local!.url;

const documents = Array.from({ length: Number(values.documents) }, (_, i) => makePng({ width: 173, height: 173, noise: true, seed: 1000 + i }));
const client = new TextractClient({
  endpoint: url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 1,
  requestHandler: new NodeHttpHandler({ httpAgent: { keepAlive: true, maxSockets: concurrency } }),
});

await fetch(`${url}/__reset`, { method: 'POST' });
let ok = 0;
let failed = 0;
const deadline = performance.now() + seconds * 1000;
const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, async (_, worker) => {
  for (let i = worker; performance.now() < deadline; i += concurrency) {
    try {
      await client.send(new DetectDocumentTextCommand({ Document: { Bytes: documents[i % documents.length] } }));
      ok++;
    } catch {
      failed++;
    }
  }
}));
const elapsed = (performance.now() - started) / 1000;
const stats = (await (await fetch(`${url}/__stats`)).json()) as EmulatorStats;
console.log(JSON.stringify({
  documentBytes: documents[0].length,
  concurrency,
  seconds: Number(elapsed.toFixed(2)),
  ok,
  failed,
  callsPerSecond: Math.round(ok / elapsed),
  emulatorCache: stats.cache,
  clientCpuMs: Math.round(process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000),
}));
client.destroy();
await local?.close();
