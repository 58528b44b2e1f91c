// Documents for the scenarios, unique per request (the service caches results by sha256, so a
// repeated document would skip Textract) and cheap to make: the load client shares the two cores
// with the service, so it must not spend them encoding images while it measures.
import { crc32 } from 'node:zlib';
import { generateDocument, type DocumentProvider, type LoadDocument } from '../loadtest/index.ts';
import { makeTextPdf, sampleSentences } from '../../test/helpers/make-documents.ts';

const PNG_SIGNATURE_AND_IHDR = 8 + 25;

function pngTextChunk(text: string): Buffer {
  const data = Buffer.from(`Comment\0${text}`, 'latin1');
  const chunk = Buffer.allocUnsafe(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
}

/** Inserts a tEXt chunk after IHDR: a valid PNG with the same pixels and a different sha256. */
export function pngVariant(base: Buffer, text: string): Buffer {
  const chunk = pngTextChunk(text);
  const out = Buffer.allocUnsafe(base.length + chunk.length);
  base.copy(out, 0, 0, PNG_SIGNATURE_AND_IHDR);
  chunk.copy(out, PNG_SIGNATURE_AND_IHDR);
  base.copy(out, PNG_SIGNATURE_AND_IHDR + chunk.length, PNG_SIGNATURE_AND_IHDR);
  return out;
}

/**
 * The load tester's PNG (text band plus noise, ~kb KiB) encoded once; each request gets a copy
 * with its own tEXt chunk: a memcpy instead of a deflate (7 ms per 1 MB document).
 */
export async function pngVariants(kb: number, salt: string): Promise<DocumentProvider> {
  const base = (await generateDocument({ type: 'png', kb, seq: 0, salt })).bytes;
  return (seq) => ({ bytes: pngVariant(base, `bench ${salt} ${seq}`), contentType: 'image/png', filename: `bench-${salt}-${seq}.png` });
}

/** A multi-page text PDF per request (pdf-lib, a few hundred ms for 20 pages; few are sent). */
export function pdfDocument(pages: number, salt: string, seq: number): Promise<LoadDocument> {
  // Small kb: text-only pages, as a scanned-and-OCRed office document would be for Textract's sake.
  return generateDocument({ type: 'pdf-multi', kb: 40, pages, seq, salt });
}

/** A single page of ordinary prose (~150 words) for the local engine, unique by an invisible marker. */
export async function proseDocument(salt: string, seq: number): Promise<LoadDocument> {
  const lines = sampleSentences(11, seq);
  const bytes = Buffer.from(await makeTextPdf([lines], { fontSize: 12, marker: `bench ${salt} ${seq}` }));
  return { bytes, contentType: 'application/pdf', filename: `bench-prose-${salt}-${seq}.pdf` };
}

export const PROSE_WORDS = sampleSentences(11).join(' ').split(/\s+/).length;

/**
 * Like pngVariants, but each copy carries the emulator's DENSE marker: Textract's answer is then a
 * full page of small print (~450 blocks, ~200 KB), for any client that sends the bytes as they are.
 */
export async function densePngVariants(kb: number, salt: string): Promise<DocumentProvider> {
  const base = (await generateDocument({ type: 'png', kb, seq: 0, salt })).bytes;
  return (seq) => ({ bytes: pngVariant(base, `DTAT-EMULATOR:DENSE bench ${salt} ${seq}`), contentType: 'image/png', filename: `dense-${salt}-${seq}.png` });
}
