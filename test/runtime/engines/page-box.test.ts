import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pageBox } from '../../../runtime/engines/page-box.ts';

describe('pageBox', () => {
  test('should give a width taken between edges without float noise', () => {
    // 0.082127 + 0.114 - 0.082127 is 0.11399999999999999 in floating point.
    const box = pageBox(0.082127, 0.025, 0.082127 + 0.114, 0.025 + 0.012);
    assert.deepEqual(box, { left: 0.082127, top: 0.025, width: 0.114, height: 0.012 });
    assert.equal(JSON.stringify(box), '{"left":0.082127,"top":0.025,"width":0.114,"height":0.012}');
  });

  test('should keep edges to millionths of the page', () => {
    const box = pageBox(1 / 3, 0.123456789, 2 / 3, 0.98765432123);
    assert.deepEqual(box, { left: 0.333333, top: 0.123457, width: 0.333334, height: 0.864197 });
    for (const n of Object.values(box)) assert.ok(String(n).length <= 8, String(n));
  });

  test('should clamp the edges to the page, not each field', () => {
    // Starts off the left edge: the right edge stays where it was seen.
    assert.deepEqual(pageBox(-0.05, 0.95, 0.25, 1.2), { left: 0, top: 0.95, width: 0.25, height: 0.05 });
    const wide = pageBox(0.9999999, 0.5, 1.5, 0.6);
    assert.ok(wide.left + wide.width <= 1);
  });

  test('should give an empty box for an inverted or unreadable one', () => {
    assert.deepEqual(pageBox(0.5, 0.5, 0.4, 0.4), { left: 0.5, top: 0.5, width: 0, height: 0 });
    assert.deepEqual(pageBox(Number.NaN, 0.2, Number.POSITIVE_INFINITY, 0.3), { left: 0, top: 0.2, width: 0, height: 0.1 });
  });
});
