// Local OCR with tesseract.js, for machines without Textract. Plain text only: tesseract has no
// forms, tables, signatures or layout analysis.

import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Worker as ThreadWorker } from 'node:worker_threads';
import Tesseract from 'tesseract.js';
import { DocumentError } from '../documents/errors.ts';
import { rasterisePage, type GrayRaster } from '../documents/raster.ts';
import { resizeGray } from '../documents/resize.ts';
import { abortError, enqueuePage, type QueuedPage } from './local-queue.ts';
import { pageBox } from './page-box.ts';
import type { EngineCallOptions, OcrEngine, OcrLine, OcrWord, PageInput, PageResult } from './types.ts';

export interface TesseractEngineOptions {
  /** Workers (threads) at most; each uses one core while recognising. Default: CPU cores. */
  poolSize?: number;
  /** A worker idle this long is terminated to give its ~100 MB back. Default 5 minutes. */
  idleMs?: number;
  log?: { info(...args: unknown[]): void };
}

export interface TesseractPoolStats {
  /** Workers alive, including those still loading. */
  workers: number;
  busy: number;
  queued: number;
}

export interface TesseractEngine extends OcrEngine {
  readonly name: 'tesseract';
  stats(): TesseractPoolStats;
}

const DEFAULT_IDLE_MS = 5 * 60_000;
const RASTER_DPI = 300;

// The LSTM integer model (the one tesseract.js itself downloads for LSTM-only recognition),
// read from node_modules: without a local langPath tesseract.js fetches from a CDN.
const LANG_PATH = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@tesseract.js-data/eng/package.json')),
  '4.0.0_best_int',
);

type Job = QueuedPage;

interface Slot {
  worker: Tesseract.Worker;
  job?: Job;
  idleTimer?: NodeJS.Timeout;
}

function asError(value: unknown, message: string): Error {
  return value instanceof Error ? value : new Error(`${message}: ${String(value)}`, { cause: value });
}

/** Lines in tesseract's reading order (blocks, then paragraphs, then lines). */
export function linesFromTesseract(data: Tesseract.Page, width: number, height: number): OcrLine[] {
  const lines: OcrLine[] = [];
  for (const block of data.blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) {
        const text = line.text.trim();
        if (!text) continue;
        const { x0, y0, x1, y1 } = line.bbox;
        lines.push({
          text,
          confidence: Math.min(100, Math.max(0, line.confidence)),
          bbox: pageBox(x0 / width, y0 / height, x1 / width, y1 / height),
        });
      }
    }
  }
  return lines;
}

/** Words with their boxes, in the same reading order as the lines. */
export function wordsFromTesseract(data: Tesseract.Page, width: number, height: number): OcrWord[] {
  const words: OcrWord[] = [];
  for (const block of data.blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) {
        for (const word of line.words) {
          const text = word.text.trim();
          if (!text) continue;
          const { x0, y0, x1, y1 } = word.bbox;
          words.push({
            text,
            confidence: Math.min(100, Math.max(0, word.confidence)),
            bbox: pageBox(x0 / width, y0 / height, x1 / width, y1 / height),
          });
        }
      }
    }
  }
  return words;
}

/** Pages smaller than this (longer side, pixels) are upscaled before tesseract reads them. */
export const MIN_PAGE_SIDE = 2500;

/**
 * Screenshots and crops hold text of 8–15 pixels, below what tesseract's models read well (it
 * wants ~300 DPI, 25–40 pixel lines): such pages are enlarged to a 2,500-pixel longer side (at
 * most 3×). On the evaluation set this took tesseract from 73 % to 90.5 % recall (README).
 */
export function upscaleSmallPage(raster: GrayRaster): GrayRaster {
  const longest = Math.max(raster.width, raster.height);
  if (longest >= MIN_PAGE_SIDE) return raster;
  const scale = Math.min(3, MIN_PAGE_SIDE / longest);
  return resizeGray(raster, Math.round(raster.width * scale), Math.round(raster.height * scale));
}

/** Netpbm PAM (8-bit gray): no compression to pay for, and leptonica reads it. */
export function toPam(raster: GrayRaster): Buffer {
  const header = Buffer.from(`P7\nWIDTH ${raster.width}\nHEIGHT ${raster.height}\nDEPTH 1\nMAXVAL 255\nTUPLTYPE GRAYSCALE\nENDHDR\n`, 'latin1');
  return Buffer.concat([header, raster.data]);
}

export function createTesseractEngine(options: TesseractEngineOptions = {}): TesseractEngine {
  const poolSize = Math.max(1, options.poolSize ?? availableParallelism());
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  const log = options.log;
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let starting = 0;
  const startups = new Set<Promise<void>>();
  let closed = false;

  function settle(job: Job): void {
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
  }

  function retire(slot: Slot, reason: string): void {
    const at = slots.indexOf(slot);
    if (at < 0) return;
    slots.splice(at, 1);
    clearTimeout(slot.idleTimer);
    // terminate() ends the thread at once, mid-recognition if need be.
    void slot.worker.terminate().catch(() => {});
    log?.info({ workers: slots.length, reason }, 'tesseract worker terminated');
  }

  async function startWorker(): Promise<void> {
    starting++;
    const started = Date.now();
    let slot: Slot | undefined;
    try {
      const worker = await Tesseract.createWorker('eng', Tesseract.OEM.LSTM_ONLY, {
        langPath: LANG_PATH,
        gzip: true,
        // No traineddata cache: the default would write eng.traineddata into the working directory.
        cacheMethod: 'none',
        // Without an errorHandler tesseract.js rethrows job failures from a message listener,
        // which crashes the process; the job's own promise already carries the error.
        errorHandler: () => {},
      });
      // tesseract.js reads a page as one block of text by default (PSM 6), which runs table
      // cells and labels beside each other into garbage; automatic page segmentation finds them.
      await worker.setParameters({ tessedit_pageseg_mode: Tesseract.PSM.AUTO });
      slot = { worker };
      // A thread that dies (out of memory in WASM) leaves tesseract.js's promises pending forever.
      const thread = (worker as unknown as { worker?: ThreadWorker }).worker;
      thread?.once('exit', (code) => {
        const job = slot!.job;
        retire(slot!, `thread exited with code ${code}`);
        if (job) {
          settle(job);
          job.reject(new Error(`The tesseract worker stopped unexpectedly (exit code ${code}).`));
        }
        dispatch();
      });
    } catch (error) {
      log?.info({ err: error }, 'tesseract worker failed to start');
      // With no worker left to serve them, queued requests would wait forever; the same
      // failure (missing language data, say) would hit every further start anyway.
      if (slots.length === 0 && starting === 1) {
        for (const job of queue.splice(0)) {
          settle(job);
          job.reject(asError(error, 'Starting a tesseract worker failed'));
        }
      }
      return;
    } finally {
      starting--;
    }
    if (closed) {
      void slot.worker.terminate().catch(() => {});
      return;
    }
    slots.push(slot);
    log?.info({ workers: slots.length, ms: Date.now() - started }, 'tesseract worker started');
    dispatch();
  }

  function dispatch(): void {
    for (const slot of slots) {
      if (queue.length === 0) break;
      if (slot.job) continue;
      run(slot, queue.shift()!);
    }
    while (queue.length > starting && slots.length + starting < poolSize) {
      const startup = startWorker();
      startups.add(startup);
      void startup.finally(() => startups.delete(startup));
    }
  }

  function scheduleIdle(slot: Slot): void {
    clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => retire(slot, 'idle'), idleMs);
    // An idle pool must not keep the process alive.
    slot.idleTimer.unref();
  }

  function run(slot: Slot, job: Job): void {
    clearTimeout(slot.idleTimer);
    settle(job); // drop the while-queued abort listener
    slot.job = job;
    // While running, an abort stops the thread: recognition cannot be interrupted otherwise,
    // and a request nobody waits for should not hold a core for seconds.
    job.onAbort = () => {
      if (slot.job !== job) return;
      slot.job = undefined;
      retire(slot, 'request aborted');
      job.reject(abortError(job.signal!));
      dispatch();
    };
    job.signal?.addEventListener('abort', job.onAbort, { once: true });
    recognizeOn(slot.worker, job.page).then(
      (result) => finish(slot, job, undefined, result),
      (error: unknown) => finish(slot, job, error),
    );
  }

  function finish(slot: Slot, job: Job, error: unknown, result?: PageResult): void {
    if (slot.job !== job) return; // already settled by an abort, a thread exit or close()
    slot.job = undefined;
    settle(job);
    if (result) {
      job.resolve(result);
      scheduleIdle(slot);
    } else {
      // A document we could not decode says nothing about the worker; any other failure
      // leaves its WASM state suspect, so it is replaced.
      if (!(error instanceof DocumentError)) retire(slot, 'recognition failed');
      else scheduleIdle(slot);
      job.reject(error instanceof DocumentError ? error : asError(error, 'tesseract failed'));
    }
    dispatch();
  }

  async function recognizeOn(worker: Tesseract.Worker, page: PageInput): Promise<PageResult> {
    const raster = await rasterisePage(page, RASTER_DPI);
    const read = upscaleSmallPage(raster);
    const { data } = await worker.recognize(toPam(read), {}, { text: false, blocks: true });
    return {
      page: page.page,
      width: raster.width,
      height: raster.height,
      lines: linesFromTesseract(data, read.width, read.height),
      words: wordsFromTesseract(data, read.width, read.height),
      keyValues: [],
      tables: [],
    };
  }

  return {
    name: 'tesseract',

    recognize(page: PageInput, options: EngineCallOptions): Promise<PageResult> {
      return enqueuePage({ name: 'tesseract', closed, queue, dispatch }, page, options);
    },

    stats(): TesseractPoolStats {
      return { workers: slots.length + starting, busy: slots.filter((s) => s.job).length, queued: queue.length };
    },

    async close(): Promise<void> {
      closed = true;
      const error = new Error('The tesseract engine was closed.');
      for (const job of queue.splice(0)) {
        settle(job);
        job.reject(error);
      }
      // A worker still loading terminates itself when it sees `closed`.
      await Promise.all(startups);
      const running = slots.splice(0);
      await Promise.all(
        running.map(async (slot) => {
          clearTimeout(slot.idleTimer);
          const job = slot.job;
          slot.job = undefined;
          if (job) {
            settle(job);
            job.reject(error);
          }
          await slot.worker.terminate().catch(() => {});
        }),
      );
    },
  };
}
