// Kept apart from raster.ts so that modules every worker loads (PDF splitting) do not pull in
// the image decoders, which only the local engines need.

/** 8-bit gray pixels, row-major, one byte per pixel. */
export interface GrayRaster {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Luma (BT.601) of unpremultiplied RGBA, composited over white so transparent areas read as paper. */
export function grayFromRgba(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): GrayRaster {
  const data = new Uint8Array(width * height);
  for (let i = 0, p = 0; i < data.length; i++, p += 4) {
    const luma = 0.299 * rgba[p] + 0.587 * rgba[p + 1] + 0.114 * rgba[p + 2];
    const alpha = rgba[p + 3] / 255;
    data[i] = Math.round(luma * alpha + 255 * (1 - alpha));
  }
  return { width, height, data };
}
