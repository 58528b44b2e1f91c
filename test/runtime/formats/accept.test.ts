import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFromAccept } from '../../../runtime/formats/accept.ts';

describe('formatFromAccept', () => {
  test('should give JSON when the client states no preference', () => {
    for (const accept of [undefined, '', '*/*', 'application/json', 'application/*', 'application/json; charset=utf-8']) {
      assert.equal(formatFromAccept(accept), 'json', String(accept));
    }
  });

  test('should map each media type to its format', () => {
    assert.equal(formatFromAccept('text/plain'), 'text');
    assert.equal(formatFromAccept('text/markdown'), 'markdown');
    assert.equal(formatFromAccept('text/x-markdown'), 'markdown');
    assert.equal(formatFromAccept('text/html'), 'html');
    assert.equal(formatFromAccept('TEXT/CSV; charset=UTF-8'), 'csv');
  });

  test('should follow quality values', () => {
    assert.equal(formatFromAccept('application/json;q=0.5, text/csv;q=0.9'), 'csv');
    assert.equal(formatFromAccept('text/csv;q=0.1, text/markdown;q=0.8, */*;q=0.2'), 'markdown');
    assert.equal(formatFromAccept('text/markdown;q=0, text/*'), 'text');
    assert.equal(formatFromAccept('text/*;q=0, text/csv'), 'csv');
  });

  test('should prefer what the client named over a wildcard of the same quality', () => {
    assert.equal(formatFromAccept('*/*, text/csv'), 'csv');
    // What browsers send: the page, not the JSON.
    assert.equal(formatFromAccept('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'), 'html');
  });

  test('should give null when nothing the service makes is acceptable', () => {
    assert.equal(formatFromAccept('image/png'), null);
    assert.equal(formatFromAccept('*/*;q=0'), null);
    assert.equal(formatFromAccept('application/json;q=0, text/*;q=0'), null);
  });

  test('should skip malformed entries instead of failing', () => {
    assert.equal(formatFromAccept('garbage, text/csv;q=abc, text/markdown;q=0.7'), 'markdown');
    assert.equal(formatFromAccept('text/csv;q=2'), null);
  });
});
