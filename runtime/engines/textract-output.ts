import type { TextractClient } from '@aws-sdk/client-textract';

// The SDK turns a Textract response into output by walking every Block against the operation's
// schema. The outputs of DetectDocumentText and AnalyzeDocument hold only JSON strings, numbers
// and arrays (no blobs, no timestamps), so plain JSON.parse yields the same object for a fraction
// of the CPU, which matters on dense pages. Errors keep the SDK's own handling: it reads them
// through a different schema id, which this leaves alone.

type Read = (schema: unknown, bytes: Uint8Array | string) => Promise<unknown>;

/** The schema id the SDK uses when reading an error body (see RpcProtocol.deserializeResponse). */
const ERROR_BODY_SCHEMA = 15;

export function useFastOutputParsing(client: TextractClient): void {
  const protocol = (client.config as { protocol?: { deserializer?: { read?: Read } } }).protocol;
  const deserializer = protocol?.deserializer;
  if (!deserializer?.read) return; // another SDK shape: keep its own parsing
  const sdkRead = deserializer.read.bind(deserializer);
  deserializer.read = async (schema, bytes) => {
    if (schema === ERROR_BODY_SCHEMA) return sdkRead(schema, bytes);
    const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    return JSON.parse(text);
  };
}
