import { AnalyzeDocumentCommand, DetectDocumentTextCommand, type Block, type TextractClient } from '@aws-sdk/client-textract';
import { httpError } from '../errors.ts';
import { documentInput, useNativeBase64Body } from './textract-body.ts';
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

export function createTextractEngine(client: TextractClient): OcrEngine {
  useNativeBase64Body(client);
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
