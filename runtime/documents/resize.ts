import type { GrayRaster } from './raster.ts';

/** A region of a gray raster in its own pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Bilinear resampling of `rect` of `source` to `width` × `height`; when shrinking by more than
 * 2× it averages the source pixels under each output pixel instead (box filter), so thin strokes
 * are not skipped over.
 */
export function resizeGray(source: GrayRaster, width: number, height: number, rect: Rect = { x: 0, y: 0, width: source.width, height: source.height }): GrayRaster {
  const out = new Uint8Array(width * height);
  const sx = rect.width / width;
  const sy = rect.height / height;
  const { data: src, width: sw, height: sh } = source;
  if (sx > 2 || sy > 2) {
    for (let y = 0; y < height; y++) {
      const y0 = Math.floor(rect.y + y * sy);
      const y1 = Math.min(sh, Math.max(y0 + 1, Math.floor(rect.y + (y + 1) * sy)));
      for (let x = 0; x < width; x++) {
        const x0 = Math.floor(rect.x + x * sx);
        const x1 = Math.min(sw, Math.max(x0 + 1, Math.floor(rect.x + (x + 1) * sx)));
        let sum = 0;
        for (let yy = y0; yy < y1; yy++) for (let xx = x0, row = yy * sw; xx < x1; xx++) sum += src[row + xx];
        out[y * width + x] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
      }
    }
    return { width, height, data: out };
  }
  for (let y = 0; y < height; y++) {
    const fy = Math.min(sh - 1, Math.max(0, rect.y + (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(sh - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(sw - 1, Math.max(0, rect.x + (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(sw - 1, x0 + 1);
      const wx = fx - x0;
      const top = src[y0 * sw + x0] * (1 - wx) + src[y0 * sw + x1] * wx;
      const bottom = src[y1 * sw + x0] * (1 - wx) + src[y1 * sw + x1] * wx;
      out[y * width + x] = Math.round(top * (1 - wy) + bottom * wy);
    }
  }
  return { width, height, data: out };
}
