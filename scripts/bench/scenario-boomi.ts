// Dell Boomi's shape: a few threads, each posting one document after another, first waiting on
// the synchronous answer, then submitting async and waiting on a WebSocket as a listener would.
import { load, loadDetails, openService, type Scenario } from './context.ts';
import { pngVariants } from './documents.ts';
import { littleBoundPerMinute } from './rates.ts';
import { closedLoopRows } from './rows.ts';
import { salt, TEXTRACT_LATENCY_MS } from './scenario-sync.ts';

export const boomi: Scenario = {
  name: 'boomi',
  timeoutMs: (quick) => (quick ? 120_000 : 300_000),
  async run(ctx) {
    const threads = 8;
    const durationMs = ctx.quick ? 8_000 : 60_000;
    const service = await openService(ctx, 'boomi', { workers: 4, latencyMs: TEXTRACT_LATENCY_MS, tps: 0 });
    const bound = littleBoundPerMinute(threads, TEXTRACT_LATENCY_MS);
    const setup = (how: string) => `WORKERS=4, ${threads} Boomi threads, ${how}, ${durationMs / 1000} s, Textract 2,400 ms, no quota, 100 KB PNG`;
    const options = { skipMs: TEXTRACT_LATENCY_MS, bound, boundNote: "Little's law 8 / 2.4 s" };

    const sync = await load(ctx, 'sync', {
      url: service.url,
      mode: 'boomi',
      concurrency: threads,
      durationMs,
      documents: await pngVariants(100, salt(ctx, 'Y')),
    });
    const asyncWs = await load(ctx, 'async + WebSocket', {
      url: service.url,
      mode: 'boomi',
      boomiAsync: true,
      concurrency: threads,
      durationMs,
      documents: await pngVariants(100, salt(ctx, 'Z')),
    });
    ctx.details.sync = loadDetails(sync);
    ctx.details.async = loadDetails(asyncWs);
    return [
      ...closedLoopRows('boomi sync', setup('POST /ocr'), sync, options),
      ...closedLoopRows('boomi async + WebSocket', setup('POST /ocr/async + wait on /ws'), asyncWs, {
        ...options,
        extraNotes: [`WebSocket reconnects ${asyncWs.wsReconnects}`],
      }),
    ];
  },
};
