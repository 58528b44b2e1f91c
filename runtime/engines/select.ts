import type { TextractClient } from '@aws-sdk/client-textract';
import type { Config } from '../config.ts';
import { cpuCount } from '../config.ts';
import type { Logger } from '../log.ts';
import { createTextractClient, hasAwsCredentialSource } from './textract-client.ts';
import { prepareTextractClient, type TextractClientOptions } from './textract.ts';
import type { OcrEngine } from './types.ts';

/** What this process runs documents on: Amazon Textract, or a local OCR engine. */
export interface EngineSelection {
  /** 'textract', the local engine's name, or 'none'. */
  name: string;
  textract: TextractClient | null;
  local: OcrEngine | null;
  /** Why neither is available, in words for the client. */
  unavailable?: string;
  close(): Promise<void>;
}

/**
 * OCR_ENGINE=auto picks Textract when it can be reached without guessing (an endpoint or
 * credentials in the environment or ~/.aws), otherwise the local engine: PaddleOCR, which reads
 * real documents best (README, "Local OCR"). OCR_ENGINE=tesseract still selects tesseract.js.
 */
export async function selectEngine(config: Config, log: Logger, textractOptions: TextractClientOptions = {}): Promise<EngineSelection> {
  const textractConfigured = config.textractEndpoint !== undefined || hasAwsCredentialSource();
  const choice = config.ocrEngine === 'auto' ? (textractConfigured ? 'textract' : 'paddle') : config.ocrEngine;
  if (choice === 'textract') {
    const textract = prepareTextractClient(createTextractClient(config), textractOptions);
    return { name: 'textract', textract, local: null, close: async () => textract.destroy() };
  }
  try {
    // Each worker process gets its share of the cores.
    const cores = Math.max(1, Math.floor(cpuCount() / config.workers));
    // Loaded on demand: the local engines are large and Textract deployments never need them.
    if (choice === 'paddle') {
      const { createPaddleEngine } = await import('./paddle.ts');
      return localEngine(createPaddleEngine({ poolSize: 1, threadsPerPage: cores, idleMs: config.localEngineIdleMs, log }));
    }
    const { createTesseractEngine } = await import('./tesseract.ts');
    return localEngine(createTesseractEngine({ poolSize: cores, idleMs: config.localEngineIdleMs, log }));
  } catch (err) {
    log.error({ err }, 'local OCR engine failed to load');
    return {
      name: 'none',
      textract: null,
      local: null,
      unavailable:
        'No OCR engine is available: set TEXTRACT_ENDPOINT, or AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE) with OCR_ENGINE=textract.',
      close: async () => {},
    };
  }
}

function localEngine(engine: OcrEngine): EngineSelection {
  return { name: engine.name, textract: null, local: engine, close: () => engine.close() };
}

/** What to tell a client whose function needs Textract while this service runs the local engine. */
export const TEXTRACT_NEEDED =
  'set TEXTRACT_ENDPOINT, or AWS credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance role with OCR_ENGINE=textract)';
