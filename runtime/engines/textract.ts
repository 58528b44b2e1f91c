import { AnalyzeDocumentCommand, DetectDocumentTextCommand, type Block, type TextractClient } from '@aws-sdk/client-textract';
import { httpError } from '../errors.ts';
import { documentInput, useNativeBase64Body } from './textract-body.ts';
import { useFastOutputParsing } from './textract-output.ts';
import { normalizeBlocks } from './textract-normalize.ts';
import type { EngineCallOptions, OcrEngine, PageInput, PageResult } from './types.ts';

// Errors that say the document itself is the problem: retrying cannot help, the client must
// change what it sends.
const DOCUMENT_ERRORS: Record<string, string> = {
  InvalidParameterException: 'Textract rejected the request parameters',
  UnsupportedDocumentException: 'Textract does not support this document (format, encryption or page count)',
  DocumentTooLargeException: 'The document is larger than Textract accepts',
  BadDocumentException: 'Textract could not read the document; it may be damaged',
};
// Account-side failures: not the document's fault, not fixed by retrying.
const ACCOUNT_ERRORS = new Set(['AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException']);
const THROTTLES = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'LimitExceededException']);

export interface TextractEngineOptions {
  /** Waits for a Textract token; called before each retry the SDK makes on its own. */
  paceRetry?: () => Promise<void>;
}

export function createTextractEngine(client: TextractClient, options: TextractEngineOptions = {}): OcrEngine {
  useNativeBase64Body(client);
  useFastOutputParsing(client);
  if (options.paceRetry) paceSdkRetries(client, options.paceRetry);
  return {
    name: 'textract',
    async recognize(page: PageInput, options: EngineCallOptions): Promise<PageResult> {
      const Document = documentInput(page.bytes);
      let blocks: Block[] | undefined;
      try {
        const output = options.features.length
          ? await client.send(new AnalyzeDocumentCommand({ Document, FeatureTypes: options.features }), { abortSignal: options.signal })
          : await client.send(new DetectDocumentTextCommand({ Document }), { abortSignal: options.signal });
        blocks = output.Blocks;
      } catch (err) {
        throw mapTextractError(err, page.page);
      }
      return normalizeBlocks(blocks ?? [], page.page);
    },
    async close() {
      client.destroy();
    },
  };
}

/**
 * The SDK retries throttles and 5xx by itself (maxAttempts 5). Each retry is a Textract call too,
 * so it MUST take a token like the first attempt did, or retries would spend quota the shared
 * bucket has promised elsewhere and turn one throttle into a stream of them.
 */
function paceSdkRetries(client: TextractClient, pace: () => Promise<void>): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const header = (args.request as { headers?: Record<string, string> } | undefined)?.headers?.['amz-sdk-request'];
      const attempt = Number(/attempt=(\d+)/.exec(header ?? '')?.[1] ?? 1);
      if (attempt > 1) await pace();
      return next(args);
    },
    // After the retry middleware (which runs each attempt through the rest of the stack).
    { step: 'finalizeRequest', priority: 'low', name: 'dtatPaceRetries' },
  );
}

export function mapTextractError(err: unknown, page: number): unknown {
  const name = (err as { name?: string })?.name ?? '';
  const detail = (err as { message?: string })?.message ?? '';
  if (name === 'AbortError') return err;
  const where = `page ${page}`;
  if (name in DOCUMENT_ERRORS) {
    return httpError('UNPROCESSABLE_DOCUMENT', `${DOCUMENT_ERRORS[name]} (${where}: ${name}).`, { cause: err });
  }
  if (name === 'CredentialsProviderError') {
    return httpError(
      'ENGINE_UNAVAILABLE',
      'Textract needs AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, or attach an instance role), or TEXTRACT_ENDPOINT for an emulator.',
      { cause: err },
    );
  }
  if (ACCOUNT_ERRORS.has(name)) {
    return httpError('UPSTREAM_ERROR', `Textract refused the service's credentials (${name}); check the AWS configuration.`, { cause: err });
  }
  if (THROTTLES.has(name)) {
    return httpError('UPSTREAM_ERROR', `Textract kept throttling after retries (${where}); lower TEXTRACT_TPS or raise the account quota.`, { cause: err });
  }
  return httpError('UPSTREAM_ERROR', `Textract failed after retries (${where}: ${name || detail || 'network error'}).`, { cause: err });
}
