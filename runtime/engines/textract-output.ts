import type { TextractClient } from '@aws-sdk/client-textract';

// The SDK turns a Textract response into output by walking every Block against the operation's
// schema. The outputs of the operations this service calls hold only JSON strings, numbers and
// arrays (no blobs, no timestamps), so plain JSON.parse yields the same object for a fraction of
// the CPU, which matters on dense pages. Errors keep the SDK's own handling: it reads them
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
    return parseOutput(typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  };
}

// Every block's Geometry carries a Polygon: four points, each an object of two numbers. That is
// ~40 % of a response's bytes and most of the objects parsing makes, and nothing in the service
// reads it (boxes come from BoundingBox), so it is cut from the text before parsing. In JSON text
// an unescaped `"Polygon":[` can only be that key (a quote inside a string is escaped), and the
// points hold no `]`.
const POLYGON = /,"Polygon":\[[^\]]*\]|"Polygon":\[[^\]]*\],?/g;

/** A Textract response body as output, without the Polygons. */
export function parseOutput(text: string): unknown {
  try {
    return JSON.parse(text.replace(POLYGON, ''));
  } catch {
    // Not the JSON expected: parse it whole, so the error (or the odd output) is the body's own.
    return JSON.parse(text);
  }
}
