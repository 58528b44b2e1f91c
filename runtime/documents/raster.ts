import type { PageInput } from '../engines/types.ts';
import { DocumentError, unprocessable } from './errors.ts';
import { MEDIA_TYPES } from './detect.ts';
import { loadMupdf } from './mupdf.ts';
import { MAX_IMAGE_PIXELS_PER_SIDE } from './textract-limits.ts';

export interface GrayRaster {
  width: number;
  height: number;
  /** Netpbm PAM (8-bit gray): no compression to pay for, and leptonica reads it. */
  pam: Uint8Array;
}

/**
 * The first page of a document as 8-bit gray pixels for a local OCR engine. PDFs are drawn
 * at `dpi`; images keep their own resolution. Everything goes through mupdf so that the
 * engine sees one format whatever came in: it decodes every TIFF compression, applies JPEG
 * EXIF orientation (the pixel size reported is then the upright one), and flattens 16-bit,
 * palette and CMYK images.
 *
 * Runs on the calling thread: about 70 ms for a Letter page at 300 DPI.
 */
export async function rasterisePage(page: PageInput, dpi = 300): Promise<GrayRaster> {
  const mupdf = await loadMupdf();
  let doc: InstanceType<typeof mupdf.Document>;
  try {
    doc = mupdf.Document.openDocument(page.bytes, MEDIA_TYPES[page.kind]);
  } catch (cause) {
    throw unprocessable(`The ${page.kind.toUpperCase()} page ${page.page} could not be decoded: it is damaged.`, cause);
  }
  try {
    if (doc.needsPassword()) throw unprocessable('The PDF is password-protected (encrypted); remove the password and send it again.');
    const first = doc.loadPage(0);
    try {
      const [x0, y0, x1, y1] = first.getBounds();
      const longest = Math.max(x1 - x0, y1 - y0);
      let resolution = dpi;
      if (page.kind !== 'pdf') {
        // mupdf lays an image out at its own resolution; drawing at that resolution gives back
        // its native pixels, the higher axis wins when they differ (fax).
        const image = new mupdf.Image(page.bytes);
        resolution = Math.max(image.getXResolution(), image.getYResolution()) || 72;
        image.destroy();
      }
      // Huge pages are drawn smaller rather than exhausting memory; Textract refuses them anyway.
      const scale = Math.min(resolution / 72, MAX_IMAGE_PIXELS_PER_SIDE / Math.max(longest, 1));
      const pixmap = first.toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceGray, false, true);
      try {
        return { width: pixmap.getWidth(), height: pixmap.getHeight(), pam: pixmap.asPAM() };
      } finally {
        pixmap.destroy();
      }
    } finally {
      first.destroy();
    }
  } catch (error) {
    if (error instanceof DocumentError) throw error;
    throw unprocessable(`The ${page.kind.toUpperCase()} page ${page.page} could not be decoded: it is damaged.`, error);
  } finally {
    doc.destroy();
  }
}
