import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesHeldFor, RecentResults, recentKey, recentResultsOf, type RecentResult } from '../../../runtime/document-functions/recent-results.ts';

const row = (payload: string, contentAt: Date | null = new Date()): RecentResult => ({
  document_id: 'd',
  page_count: 1,
  result_id: 'r',
  payload,
  created_at: new Date(),
  content_at: contentAt,
});

test('should answer a remembered result until its time is up', () => {
  const recent = new RecentResults(1_000, 1_000);
  recent.remember('a', row('{}'), 0);
  assert.equal(recent.get('a', 999)?.payload, '{}');
  assert.equal(recent.get('a', 1_000), undefined);
  assert.equal(recent.size, 0, 'an expired entry is dropped when met');
});

test('should hold at most its size in payload, dropping the oldest first', () => {
  const recent = new RecentResults(60_000, 80);
  for (const key of 'abcdefgh') recent.remember(key, row('x'.repeat(10)), 0);
  assert.equal(recent.size, 8);
  recent.remember('i', row('y'.repeat(10)), 0);
  assert.equal(recent.get('a', 1), undefined, 'the oldest went');
  assert.equal(recent.get('b', 1)?.payload, 'x'.repeat(10));
  assert.equal(recent.get('i', 1)?.payload, 'y'.repeat(10));
  recent.remember('big', row('z'.repeat(11)), 0);
  assert.equal(recent.get('big', 1), undefined, 'a result over an eighth of the size is not kept');
});

test('should key by content, function, options and engine', () => {
  const key = { fn: 'ocr', optionsKey: 'TABLES', engine: 'textract' };
  assert.notEqual(recentKey('s', key), recentKey('s', { ...key, optionsKey: '' }));
  assert.notEqual(recentKey('s', key), recentKey('s', { ...key, engine: 'paddle' }));
  assert.notEqual(recentKey('s', key), recentKey('t', key));
});

test('should keep one memory per database pool', () => {
  const a = {};
  const b = {};
  recentResultsOf(a).remember('k', row('{}'));
  assert.equal(recentResultsOf(a).get('k')?.payload, '{}');
  assert.equal(recentResultsOf(b).get('k'), undefined);
});

test('should trust held bytes only while retention cannot have purged them', () => {
  const now = Date.UTC(2026, 0, 2);
  const hour = 3_600_000;
  assert.equal(bytesHeldFor(row('', new Date(now - hour)), 24, 30_000, now), true);
  assert.equal(bytesHeldFor(row('', new Date(now - 24 * hour + 10_000)), 24, 30_000, now), false, 'due for the purge within the margin');
  assert.equal(bytesHeldFor(row('', null), 24, 30_000, now), false);
});
