import { featuresUnsupported } from './local-features.ts';
import type { EngineCallOptions, PageInput, PageResult } from './types.ts';

// What the local engines share: the queue of pages waiting for a free process (PaddleOCR) or
// worker (tesseract), and how a recognize() call enters it.

/** A page waiting for, or being read by, a local engine. */
export interface QueuedPage {
  page: PageInput;
  signal?: AbortSignal;
  resolve(result: PageResult): void;
  reject(error: unknown): void;
  onAbort?: () => void;
}

export function abortError(signal: AbortSignal): DOMException {
  const error = new DOMException('The OCR request was aborted.', 'AbortError');
  if (signal.reason !== undefined) Object.defineProperty(error, 'cause', { value: signal.reason });
  return error;
}

/** A recognize() call: refused when it asks for features or the engine is closed, else queued until `dispatch` runs it. */
export function enqueuePage(
  engine: { name: string; closed: boolean; queue: QueuedPage[]; dispatch: () => void },
  page: PageInput,
  { features, signal }: EngineCallOptions,
): Promise<PageResult> {
  if (features.length > 0) return Promise.reject(featuresUnsupported(features, engine.name));
  if (engine.closed) return Promise.reject(new Error(`The ${engine.name} engine is closed.`));
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise<PageResult>((resolve, reject) => {
    const job: QueuedPage = { page, signal, resolve, reject };
    // While queued, an abort just drops the job.
    job.onAbort = () => {
      const at = engine.queue.indexOf(job);
      if (at < 0) return;
      engine.queue.splice(at, 1);
      reject(abortError(signal!));
    };
    signal?.addEventListener('abort', job.onAbort, { once: true });
    engine.queue.push(job);
    engine.dispatch();
  });
}
