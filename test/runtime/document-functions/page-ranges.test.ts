import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pageRangesKey, parsePageRanges, selectPages } from '../../../runtime/document-functions/page-ranges.ts';
import { HttpError } from '../../../runtime/errors.ts';

describe('pages=', () => {
  test('should read pages and ranges into one canonical selection', () => {
    assert.equal(parsePageRanges(undefined), null);
    assert.equal(parsePageRanges('  '), null);
    assert.equal(pageRangesKey(parsePageRanges('1-3,7')!), '1-3,7');
    assert.equal(pageRangesKey(parsePageRanges(' 7, 1 - 3 ')!), '1-3,7');
    assert.equal(pageRangesKey(parsePageRanges('2,1,3,3,5-6,4')!), '1-6', 'overlapping and adjacent ranges merge');
  });

  test('should refuse descending ranges and page 0 with the field named', () => {
    for (const text of ['3-1', '0', '1-', 'a', '1,,2']) {
      assert.throws(() => parsePageRanges(text), (err: HttpError) => err.code === 'VALIDATION_FAILED' && err.issues?.[0]?.path === 'body.pages', text);
    }
  });

  test('should select the pages of a document, or all of them as null', () => {
    assert.deepEqual(selectPages(parsePageRanges('1-3,7'), 10), [1, 2, 3, 7]);
    assert.equal(selectPages(parsePageRanges('1-3'), 3), null, 'every page is the whole document');
    assert.throws(() => selectPages(parsePageRanges('2-4'), 3), (err: HttpError) => err.status === 400 && /3 pages/.test(err.message));
  });

  test('should never expand a huge range before checking it against the document', () => {
    const ranges = parsePageRanges('1-999999999999');
    assert.equal(pageRangesKey(ranges!), '1-999999999999');
    assert.throws(() => selectPages(ranges, 5), HttpError);
  });
});
