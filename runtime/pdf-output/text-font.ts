import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';
import * as fontkit from 'fontkit';
import { PDFName, PDFString, type PDFContext, type PDFRef } from 'pdf-lib';

// The font of the invisible text layer: Noto Sans Regular (SIL OFL 1.1) from the npm package
// @expo-google-fonts/noto-sans, embedded as a subset so extraction never depends on the viewer's
// fonts. Its glyphs are never painted (render mode 3); what matters is that every character
// has its own code, a width, and a ToUnicode entry.
//
// Why not pdf-lib's embedFont: it encodes text as glyph ids, so every character the font lacks
// becomes glyph 0, and one glyph id maps to one Unicode value in ToUnicode, so such characters
// cannot all extract correctly. Here each distinct character gets its own CID (CID → GID through
// CIDToGIDMap): a character the font lacks still extracts exactly; only its invisible glyph is
// .notdef. (Its fontkit also dates from 2021; fontkit 2 is the maintained line.)

const require = createRequire(import.meta.url);
const FONT_FILE = '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf';

let cached: fontkit.Font | undefined;

/** Parsed once per process (~630 KB, lazily decoded by fontkit). */
function notoSans(): fontkit.Font {
  if (!cached) {
    const parsed = fontkit.create(readFileSync(require.resolve(FONT_FILE)));
    if (!('glyphForCodePoint' in parsed)) throw new Error(`${FONT_FILE} is a font collection, expected one font`);
    cached = parsed;
  }
  return cached;
}

// Two-byte codes (Identity-H): CID 0 is .notdef by convention, so characters start at 1. A page
// of OCR text uses a few hundred distinct characters; past this limit (never reached in practice)
// new characters share the code of U+FFFD instead of overflowing the encoding.
const MAX_CID = 0xffff;
const REPLACEMENT = 0xfffd;

export interface EncodedText {
  /** Hex digits of the two-byte codes, for a `<...> Tj` string. */
  hex: string;
  /** Sum of the advance widths, in text space units (1/1000 of the font size). */
  width: number;
}

/**
 * One embedded font per output document. `encode` assigns codes as characters first appear, so
 * the same words in the same order give the same font bytes (deterministic output).
 */
export class TextLayerFont {
  private readonly font = notoSans();
  private readonly scale = 1000 / this.font.unitsPerEm;
  private readonly cids = new Map<number, number>();
  /** Index = CID; [code point, glyph id in the original font, width in 1/1000 em]. */
  private readonly entries: [codePoint: number, gid: number, width: number][] = [[0, 0, 0]];

  /** Ascender and descender (descender negative), in 1/1000 em: where viewers put the selection box. */
  get ascent(): number {
    return this.font.ascent * this.scale;
  }

  get descent(): number {
    return this.font.descent * this.scale;
  }

  /**
   * The codes for `text`. Control characters are dropped (they mean nothing inside a word and
   * some readers stop at them); a lone surrogate becomes U+FFFD. Returns an empty encoding when
   * nothing printable is left.
   */
  encode(text: string): EncodedText {
    let hex = '';
    let width = 0;
    for (const char of text) {
      let codePoint = char.codePointAt(0)!;
      if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0)) continue;
      if (codePoint >= 0xd800 && codePoint <= 0xdfff) codePoint = REPLACEMENT;
      const cid = this.cidFor(codePoint);
      hex += cid.toString(16).padStart(4, '0');
      width += this.entries[cid][2];
    }
    return { hex, width };
  }

  private cidFor(codePoint: number): number {
    let cid = this.cids.get(codePoint);
    if (cid !== undefined) return cid;
    // The last code is kept for U+FFFD, so that characters past the limit have one to share.
    if (this.entries.length >= MAX_CID && codePoint !== REPLACEMENT) return this.cidFor(REPLACEMENT);
    const glyph = this.font.glyphForCodePoint(codePoint);
    cid = this.entries.length;
    this.entries.push([codePoint, glyph.id, Math.round(glyph.advanceWidth * this.scale)]);
    this.cids.set(codePoint, cid);
    return cid;
  }

  /** Writes the Type0 font (subset, widths, CID→GID map, ToUnicode) as object `ref`. */
  write(context: PDFContext, ref: PDFRef): void {
    const subset = this.font.createSubset();
    // includeGlyph returns the glyph's id in the subset (the typings say boolean).
    const gidOf = (gid: number) => subset.includeGlyph(this.font.getGlyph(gid)) as unknown as number;
    const cidToGid = Buffer.alloc(this.entries.length * 2);
    this.entries.forEach(([, gid], cid) => cidToGid.writeUInt16BE(gidOf(gid), cid * 2));
    const fontFile = subset.encode();

    const { font, scale } = this;
    const fontName = `${this.subsetTag()}+${font.postscriptName.replace(/[^\x21-\x7e]|[()<>[\]{}/%#]/g, '')}`;
    const descriptor = context.obj({
      Type: 'FontDescriptor',
      FontName: fontName,
      // Symbolic: the subset holds characters outside the standard Latin set.
      Flags: 4,
      FontBBox: [font.bbox.minX, font.bbox.minY, font.bbox.maxX, font.bbox.maxY].map((v) => Math.round(v * scale)),
      ItalicAngle: font.italicAngle,
      Ascent: Math.round(this.ascent),
      Descent: Math.round(this.descent),
      CapHeight: Math.round(font.capHeight * scale),
      StemV: 80,
      FontFile2: context.register(compressed(context, fontFile, { Length1: fontFile.length })),
    });
    const cidFont = context.obj({
      Type: 'Font',
      Subtype: 'CIDFontType2',
      BaseFont: fontName,
      CIDSystemInfo: { Registry: PDFString.of('Adobe'), Ordering: PDFString.of('Identity'), Supplement: 0 },
      FontDescriptor: context.register(descriptor),
      DW: 0,
      W: [1, this.entries.slice(1).map(([, , width]) => width)],
      CIDToGIDMap: context.register(compressed(context, cidToGid)),
    });
    context.assign(
      ref,
      context.obj({
        Type: 'Font',
        Subtype: 'Type0',
        BaseFont: fontName,
        Encoding: 'Identity-H',
        DescendantFonts: [context.register(cidFont)],
        ToUnicode: context.register(compressed(context, Buffer.from(this.toUnicode(), 'latin1'))),
      }),
    );
  }

  // Six capital letters derived from the characters used: the same text gives the same name,
  // another subset of the same font gets another name (PDF 32000-1 §9.6.4).
  private subsetTag(): string {
    const hash = createHash('sha256');
    for (const [codePoint] of this.entries) hash.update(String(codePoint)).update(',');
    return Array.from(hash.digest().subarray(0, 6), (byte) => String.fromCharCode(65 + (byte % 26))).join('');
  }

  private toUnicode(): string {
    const lines = [
      '/CIDInit /ProcSet findresource begin',
      '12 dict begin',
      'begincmap',
      '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
      '/CMapName /Adobe-Identity-UCS def',
      '/CMapType 2 def',
      '1 begincodespacerange',
      '<0000> <FFFF>',
      'endcodespacerange',
    ];
    const mapped = this.entries.slice(1);
    // At most 100 entries per bfchar block (PDF 32000-1 §9.10.3 and the CMap spec's limit).
    for (let start = 0; start < mapped.length; start += 100) {
      const block = mapped.slice(start, start + 100);
      lines.push(`${block.length} beginbfchar`);
      block.forEach(([codePoint], i) => lines.push(`<${hex4(start + i + 1)}> <${utf16Hex(codePoint)}>`));
      lines.push('endbfchar');
    }
    lines.push('endcmap', 'CMapName currentdict /CMap defineresource pop', 'end', 'end');
    return `${lines.join('\n')}\n`;
  }
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

function utf16Hex(codePoint: number): string {
  if (codePoint < 0x10000) return hex4(codePoint);
  const offset = codePoint - 0x10000;
  return hex4(0xd800 + (offset >> 10)) + hex4(0xdc00 + (offset & 0x3ff));
}

function compressed(context: PDFContext, bytes: Uint8Array, extra: Record<string, number> = {}) {
  return context.stream(deflateSync(bytes), { Filter: PDFName.of('FlateDecode'), ...extra });
}
