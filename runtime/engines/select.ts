import type { TextractClient } from '@aws-sdk/client-textract';
import type { Config } from '../config.ts';
import { cpuCount } from '../config.ts';
import type { Logger } from '../log.ts';
import { createTextractClient, hasAwsCredentialSource } from './textract-client.ts';
import { createTextractEngine, type TextractEngineOptions } from './textract.ts';
import type { OcrEngine } from './types.ts';

export interface EngineSelection {
  engine: OcrEngine | null;
  textract: TextractClient | null;
  unavailable?: string;
}

/**
 * OCR_ENGINE=auto picks Textract when it can be reached without guessing (an endpoint or
 * credentials in the environment or ~/.aws), otherwise the local engine: PaddleOCR, which reads
 * real documents best (README, "Local OCR"). OCR_ENGINE=tesseract still selects tesseract.js.
 */
export async function selectEngine(config: Config, log: Logger, textractOptions: TextractEngineOptions = {}): Promise<EngineSelection> {
  const textractConfigured = config.textractEndpoint !== undefined || hasAwsCredentialSource();
  const choice = config.ocrEngine === 'auto' ? (textractConfigured ? 'textract' : 'paddle') : config.ocrEngine;
  if (choice === 'textract') {
    const textract = createTextractClient(config);
    return { engine: createTextractEngine(textract, textractOptions), textract };
  }
  try {
    // Each worker process gets its share of the cores.
    const cores = Math.max(1, Math.floor(cpuCount() / config.workers));
    // Loaded on demand: the local engines are large and Textract deployments never need them.
    if (choice === 'paddle') {
      const { createPaddleEngine } = await import('./paddle.ts');
      return { engine: createPaddleEngine({ poolSize: 1, threadsPerPage: cores, idleMs: config.localEngineIdleMs, log }), textract: null };
    }
    const { createTesseractEngine } = await import('./tesseract.ts');
    return { engine: createTesseractEngine({ poolSize: cores, idleMs: config.localEngineIdleMs, log }), textract: null };
  } catch (err) {
    log.error({ err }, 'local OCR engine failed to load');
    return {
      engine: null,
      textract: null,
      unavailable:
        'No OCR engine is available: set TEXTRACT_ENDPOINT, or AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE) with OCR_ENGINE=textract.',
    };
  }
}
