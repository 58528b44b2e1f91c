import type { TextractClient } from '@aws-sdk/client-textract';

// The SDK serialises document bytes with a base64 encoder written in JavaScript, byte by byte:
// for a 1 MB scan that is the largest single cost of a call. Documents built by `documentInput`
// carry an empty placeholder; this build-step middleware writes the same JSON body with the bytes
// encoded by Node's native base64, before the body is measured and signed (so SigV4, retries and
// the response handling are still the SDK's own). It works for any command whose input holds
// such documents: `Document` (DetectDocumentText, AnalyzeDocument, AnalyzeExpense) or
// `DocumentPages` (AnalyzeID).
//
// The body is one Buffer written once: the signer hashes it and the HTTP handler sends it as it
// is. A string body would be copied three more times (flattened, encoded for the hash, encoded
// again for the socket), and every copy of a document-sized string lands in V8's large-object
// space, which only a full garbage collection frees.

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
const MARKED = /"\\u0000dtat-bytes-(\d+)"/;

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
        const body = jsonWithBase64(json, found);
        request.body = body;
        for (const name of Object.keys(request.headers)) {
          if (name.toLowerCase() === 'content-length') delete request.headers[name];
        }
        request.headers['content-length'] = String(body.length);
      }
      return next(args);
    },
    { step: 'build', priority: 'high', name: 'dtatNativeBase64Body' },
  );
}

// Encoded a slice at a time: a multiple of 3 bytes has no padding, so the slices' texts join into
// the whole's, and each text stays below V8's large-object size.
const SLICE_BYTES = 48 * 1024;

/** The JSON text with each marker replaced by its bytes as a base64 JSON string, as one Buffer. */
export function jsonWithBase64(json: string, found: readonly Uint8Array[]): Buffer {
  // split() with a capturing group: text, index, text, index, ..., text.
  const parts = json.split(MARKED);
  let length = 0;
  for (let i = 0; i < parts.length; i++) {
    length += i % 2 === 0 ? Buffer.byteLength(parts[i]!) : 2 + 4 * Math.ceil(found[Number(parts[i])]!.byteLength / 3);
  }
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) {
      at += out.write(parts[i]!, at, 'utf8');
      continue;
    }
    const bytes = found[Number(parts[i])]!;
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    out[at++] = 0x22; // "
    for (let from = 0; from < view.length; from += SLICE_BYTES) {
      at += out.write(view.toString('base64', from, Math.min(view.length, from + SLICE_BYTES)), at, 'latin1');
    }
    out[at++] = 0x22;
  }
  return out;
}
