// A really encrypted one-page PDF for tests of how Textract (and so the emulator) refuses
// encryption: the PDF standard security handler, revision 3 (128-bit RC4), written out by hand
// because pdf-lib cannot encrypt and the project must not need a second PDF engine for a fixture.
// Algorithms 3.1-3.5 of the PDF 1.7 reference (ISO 32000-1, 7.6.3).
import { createHash } from 'node:crypto';

const PAD = Buffer.from('28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a', 'hex');
/** Printing and copying allowed, as most "protected" PDFs in the wild are. */
const PERMISSIONS = -3904;

/** RC4, which node's OpenSSL 3 no longer offers by default; it is a dozen lines. */
function rc4(key: Buffer, data: Buffer): Buffer {
  const s = Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i] + key[i % key.length]) & 255;
    [s[i], s[j]] = [s[j], s[i]];
  }
  const out = Buffer.alloc(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 255;
    j = (j + s[i]) & 255;
    [s[i], s[j]] = [s[j], s[i]];
    out[n] = data[n] ^ s[(s[i] + s[j]) & 255];
  }
  return out;
}

const md5 = (...parts: Buffer[]): Buffer => createHash('md5').update(Buffer.concat(parts)).digest();
const padded = (password: string): Buffer => Buffer.concat([Buffer.from(password, 'latin1'), PAD]).subarray(0, 32);

function md5Rounds(digest: Buffer): Buffer {
  for (let i = 0; i < 50; i++) digest = md5(digest);
  return digest;
}

/** RC4 with the key, then 19 more passes with the key XORed with the pass number. */
function rc4Rounds(key: Buffer, data: Buffer): Buffer {
  let out = rc4(key, data);
  for (let i = 1; i <= 19; i++) out = rc4(Buffer.from(key.map((b) => b ^ i)), out);
  return out;
}

export interface EncryptedPdfOptions {
  /** Drawn in Helvetica near the top of a Letter page. */
  text?: string;
  /** Empty (the default) opens without a password: only the owner's permissions are protected. */
  userPassword?: string;
  ownerPassword?: string;
}

export function makeEncryptedPdf({ text = 'This document is encrypted.', userPassword = '', ownerPassword = 'owner' }: EncryptedPdfOptions = {}): Buffer {
  const fileId = md5(Buffer.from(`dtat-encrypted:${text}:${userPassword}:${ownerPassword}`));
  const ownerKey = md5Rounds(md5(padded(ownerPassword || userPassword)));
  const o = rc4Rounds(ownerKey, padded(userPassword));
  const p = Buffer.alloc(4);
  p.writeInt32LE(PERMISSIONS);
  const key = md5Rounds(md5(padded(userPassword), o, p, fileId));
  const u = Buffer.concat([rc4Rounds(key, md5(PAD, fileId)), Buffer.alloc(16)]);
  const objectKey = (num: number): Buffer => md5(key, Buffer.from([num & 255, (num >> 8) & 255, (num >> 16) & 255, 0, 0]));

  const escaped = text.replace(/[\\()]/g, (c) => `\\${c}`);
  const content = rc4(objectKey(5), Buffer.from(`BT /F1 14 Tf 72 720 Td (${escaped}) Tj ET`, 'latin1'));
  const objects: Buffer[] = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>'),
    Buffer.from('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>'),
    Buffer.concat([Buffer.from(`<< /Length ${content.length} >>\nstream\n`), content, Buffer.from('\nendstream')]),
    Buffer.from(`<< /Filter /Standard /V 2 /R 3 /Length 128 /O <${o.toString('hex')}> /U <${u.toString('hex')}> /P ${PERMISSIONS} >>`),
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let length = parts[0].length;
  objects.forEach((body, i) => {
    offsets.push(length);
    const chunk = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), body, Buffer.from('\nendobj\n')]);
    parts.push(chunk);
    length += chunk.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`, ...offsets.map((at) => `${String(at).padStart(10, '0')} 00000 n \n`)].join('');
  const id = fileId.toString('hex');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Encrypt 6 0 R /ID [<${id}> <${id}>] >>\nstartxref\n${length}\n%%EOF\n`));
  return Buffer.concat(parts);
}
