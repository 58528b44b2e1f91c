import type { TextractClient } from '@aws-sdk/client-textract';

// The SDK serialises document bytes with a base64 encoder written in JavaScript, byte by byte:
// for a 1 MB scan that is the largest single cost of a call. Documents built by `documentInput`
// carry an empty placeholder; this build-step middleware writes the same JSON body with the bytes
// encoded by Node's native base64, before the body is measured and signed (so SigV4, retries and
// the response handling are still the SDK's own). It works for any command whose input holds
// such documents: `Document` (DetectDocumentText, AnalyzeDocument, AnalyzeExpense) or
// `DocumentPages` (AnalyzeID).

const EMPTY = new Uint8Array(0);
const pending = new WeakMap<object, Uint8Array>();

/** A `Document` whose bytes the middleware encodes. */
export function documentInput(bytes: Uint8Array): { Bytes: Uint8Array } {
  const document = { Bytes: EMPTY };
  pending.set(document, bytes);
  return document;
}

// A marker no base64 text or JSON escape can produce, replaced after JSON.stringify.
const MARK = '\u0000dtat-bytes-';

export function useNativeBase64Body(client: TextractClient): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { body?: unknown; headers: Record<string, string> } | undefined;
      const found: Uint8Array[] = [];
      const json = JSON.stringify(args.input, (_key, value: unknown) => {
        const bytes = typeof value === 'object' && value !== null ? pending.get(value) : undefined;
        if (!bytes) return value;
        found.push(bytes);
        return { Bytes: `${MARK}${found.length - 1}` };
      });
      if (found.length > 0 && request) {
        request.body = json.replace(/"\\u0000dtat-bytes-(\d+)"/g, (_m, i: string) => {
          const bytes = found[Number(i)]!;
          return `"${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}"`;
        });
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
