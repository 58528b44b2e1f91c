// A child process that reads pages with PaddleOCR, started by runtime/engines/paddle.ts. Model
// calls are synchronous inside onnxruntime-node (they block the calling thread), and rasterising
// and pre/post-processing are CPU-bound JavaScript: here they keep the HTTP worker's event loop
// free. A process rather than a thread, because the memory a page's model calls leave in the C
// allocator (hundreds of MB) is only given back when the process ends, and a crash in native
// code ends only this process.

import { DocumentError } from '../../documents/errors.ts';
import { rasterisePage } from '../../documents/raster.ts';
import type { PageInput } from '../types.ts';
import { loadPaddleModels } from './models.ts';
import { PIPELINE_DEFAULTS, readPage, type PipelineOptions } from './pipeline.ts';
import { toPageResult } from './result.ts';

export interface ThreadData {
  threads: number;
  dpi: number;
  pipeline?: Partial<PipelineOptions>;
}

export type ThreadRequest = { id: number; page: PageInput };
export type ThreadReply =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: import('../types.ts').PageResult; cpuMs: number }
  | { type: 'error'; id?: number; message: string; documentError?: { code: DocumentError['code']; message: string } };

const data = JSON.parse(process.argv[2] ?? '{}') as ThreadData;
const port = {
  postMessage: (message: ThreadReply) => process.send!(message),
  on: (event: 'message', listener: (request: ThreadRequest) => void) => process.on(event, listener),
};
// The parent is gone (crashed or killed): nothing will ever ask again.
process.on('disconnect', () => process.exit(0));
const options: PipelineOptions = { ...PIPELINE_DEFAULTS, ...data.pipeline };

try {
  const models = await loadPaddleModels({ threads: data.threads });
  port.on('message', async ({ id, page }: ThreadRequest) => {
    const cpu = process.cpuUsage();
    try {
      const raster = await rasterisePage(page, data.dpi);
      const { lines } = await readPage(raster, models, options);
      const used = process.cpuUsage(cpu);
      port.postMessage({ type: 'result', id, result: toPageResult(page.page, raster, lines), cpuMs: (used.user + used.system) / 1000 } satisfies ThreadReply);
    } catch (error) {
      const reply: ThreadReply =
        error instanceof DocumentError
          ? { type: 'error', id, message: error.message, documentError: { code: error.code, message: error.message } }
          : { type: 'error', id, message: error instanceof Error ? error.message : String(error) };
      port.postMessage(reply);
    }
  });
  port.postMessage({ type: 'ready' } satisfies ThreadReply);
} catch (error) {
  port.postMessage({ type: 'error', message: `The PaddleOCR models failed to load: ${error instanceof Error ? error.message : String(error)}` } satisfies ThreadReply);
}
