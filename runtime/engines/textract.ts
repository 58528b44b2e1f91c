import {
  AnalyzeDocumentCommand,
  DetectDocumentTextCommand,
  type AnalyzeDocumentCommandOutput,
  type DetectDocumentTextCommandOutput,
  type TextractClient,
} from '@aws-sdk/client-textract';
import { httpError } from '../errors.ts';
import { documentInput, useNativeBase64Body } from './textract-body.ts';
import { useFastOutputParsing } from './textract-output.ts';
import { sendWithSignal, useCachedMiddleware } from './textract-signal.ts';
import { normalizeBlocks } from './textract-normalize.ts';
import type { Feature, PageInput, PageResult, QueryInput } from './types.ts';

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

export interface TextractClientOptions {
  /** Waits for a token of `operation`'s quota; called before each retry the SDK makes on its own. */
  paceRetry?: (operation: string) => Promise<void>;
  /** Told what became of every request sent to Textract (the metrics). */
  observe?: (operation: string, outcome: 'success' | 'throttled' | 'retried' | 'failed') => void;
}

/** Installs the service's request and response handling on a client, once. */
export function prepareTextractClient(client: TextractClient, options: TextractClientOptions = {}): TextractClient {
  useNativeBase64Body(client);
  useFastOutputParsing(client);
  useCachedMiddleware(client);
  if (options.paceRetry) paceSdkRetries(client, options.paceRetry);
  if (options.observe) observeRequests(client, options.observe);
  return client;
}

/** The Textract operation a command calls: its class name without "Command". */
export function operationOf(command: { constructor: { name: string } }): string {
  return command.constructor.name.replace(/Command$/, '');
}

/**
 * Sends one command and maps what can go wrong to the service's errors (422 for the document's
 * fault, 502 after retries, 503 without credentials), naming the pages of the original document.
 */
export async function sendTextract<O>(client: TextractClient, command: { input: object }, options: { signal?: AbortSignal; pages: readonly number[] }): Promise<O> {
  try {
    // Every command of the client is accepted; the caller names the output type it sent for.
    return (await sendWithSignal(client, command, options.signal)) as O;
  } catch (err) {
    throw mapTextractError(err, options.pages);
  }
}

/**
 * DetectDocumentText, or AnalyzeDocument when features are asked for, on one single-page
 * document: what /ocr needs from Textract.
 */
export async function analyzePage(
  client: TextractClient,
  page: PageInput,
  options: { features: Feature[]; queries?: QueryInput[]; signal?: AbortSignal },
): Promise<PageResult> {
  const Document = documentInput(page.bytes);
  const { features } = options;
  const where = { signal: options.signal, pages: [page.page] };
  const output = features.length
    ? await sendTextract<AnalyzeDocumentCommandOutput>(
        client,
        new AnalyzeDocumentCommand({
          Document,
          FeatureTypes: features,
          ...(features.includes('QUERIES')
            ? { QueriesConfig: { Queries: (options.queries ?? []).map((q) => ({ Text: q.text, ...(q.alias ? { Alias: q.alias } : {}) })) } }
            : {}),
        }),
        where,
      )
    : await sendTextract<DetectDocumentTextCommandOutput>(client, new DetectDocumentTextCommand({ Document }), where);
  return normalizeBlocks(output.Blocks ?? [], page.page, { features });
}

/**
 * The SDK retries throttles and 5xx by itself (maxAttempts 5). Each retry is a Textract call too,
 * so it MUST take a token of its operation like the first attempt did, or retries would spend
 * quota the shared bucket has promised elsewhere and turn one throttle into a stream of them.
 */
function paceSdkRetries(client: TextractClient, pace: (operation: string) => Promise<void>): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const header = (args.request as { headers?: Record<string, string> } | undefined)?.headers?.['amz-sdk-request'];
      const attempt = Number(/attempt=(\d+)/.exec(header ?? '')?.[1] ?? 1);
      if (attempt > 1) await pace(String(context.commandName ?? '').replace(/Command$/, ''));
      return next(args);
    },
    // After the retry middleware (which runs each attempt through the rest of the stack).
    { step: 'finalizeRequest', priority: 'low', name: 'dtatPaceRetries' },
  );
}

const PENDING_FAILURE = Symbol('dtat.pendingFailure');
type CallState = { [PENDING_FAILURE]?: string };

/**
 * Counts each request the SDK sends (every attempt) once: success; throttled; or, for any other
 * error, retried when the SDK sends another attempt and failed when none follows. Which of the
 * two is known only later, so the error waits on the call's context (one per send(), shared by
 * its attempts) until the next attempt starts or the call ends. Requests the caller aborted are
 * not Textract's outcome and are not counted.
 */
function observeRequests(client: TextractClient, observe: NonNullable<TextractClientOptions['observe']>): void {
  const operationOf = (context: { commandName?: string }) => String(context.commandName ?? '').replace(/Command$/, '');
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } finally {
        const state = context as CallState;
        if (state[PENDING_FAILURE]) observe(state[PENDING_FAILURE], 'failed');
        delete state[PENDING_FAILURE];
      }
    },
    { step: 'initialize', priority: 'high', name: 'dtatObserveCalls' },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const state = context as CallState;
      const operation = operationOf(context);
      if (state[PENDING_FAILURE]) observe(operation, 'retried');
      delete state[PENDING_FAILURE];
      try {
        const output = await next(args);
        observe(operation, 'success');
        return output;
      } catch (err) {
        const name = (err as { name?: string })?.name ?? '';
        if (THROTTLES.has(name)) observe(operation, 'throttled');
        else if (name !== 'AbortError') state[PENDING_FAILURE] = operation;
        throw err;
      }
    },
    // After the retry middleware, so it sees each attempt.
    { step: 'finalizeRequest', priority: 'low', name: 'dtatObserveRequests' },
  );
}

export function mapTextractError(err: unknown, pages: readonly number[]): unknown {
  const name = (err as { name?: string })?.name ?? '';
  const detail = (err as { message?: string })?.message ?? '';
  if (name === 'AbortError') return err;
  const where = pages.length === 1 ? `page ${pages[0]}` : `pages ${pages.join(', ')}`;
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
