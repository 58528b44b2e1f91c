import type { TextractClient } from '@aws-sdk/client-textract';

// The SDK serialises Document.Bytes with a base64 encoder written in JavaScript, byte by byte:
// for a 1 MB scan that is the largest single cost of a call. Commands built by `documentInput`
// carry an empty placeholder; this build-step middleware swaps in the same JSON body encoded by
// Node's native base64, before the body is measured and signed (so SigV4, retries and the
// response handling are still the SDK's own).

const EMPTY = new Uint8Array(0);
const pending = new WeakMap<object, Uint8Array>();

/** A `Document` for DetectDocumentText / AnalyzeDocument whose bytes the middleware encodes. */
export function documentInput(bytes: Uint8Array): { Bytes: Uint8Array } {
  const document = { Bytes: EMPTY };
  pending.set(document, bytes);
  return document;
}

export function useNativeBase64Body(client: TextractClient): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { Document?: object; FeatureTypes?: string[] };
      const bytes = input.Document ? pending.get(input.Document) : undefined;
      const request = args.request as { body?: unknown; headers: Record<string, string> } | undefined;
      if (bytes && request) {
        const encoded = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
        const features = input.FeatureTypes?.length ? `,"FeatureTypes":${JSON.stringify(input.FeatureTypes)}` : '';
        request.body = `{"Document":{"Bytes":"${encoded}"}${features}}`;
        for (const name of Object.keys(request.headers)) {
          if (name.toLowerCase() === 'content-length') delete request.headers[name];
        }
        request.headers['content-length'] = String(Buffer.byteLength(request.body as string));
      }
      return next(args);
    },
    { step: 'build', priority: 'high', name: 'dtatNativeBase64Body' },
  );
}
