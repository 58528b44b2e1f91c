import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExpiringMap } from '../../runtime/expiring-map.ts';

const map = () => new ExpiringMap<string>({ ttlMs: 100, maxSize: 10, maxEntrySize: 6, sizeOf: (v) => v.length });

test('should count a replaced entry once, and drop the oldest to stay within its size', () => {
  const m = map();
  m.set('a', 'xxxx', 0);
  m.set('a', 'yy', 0);
  assert.equal(m.held, 2);
  m.set('b', 'zzzzz', 1);
  m.set('c', 'wwww', 2);
  assert.equal(m.get('a', 3), undefined, 'the oldest went');
  assert.equal(m.held, 9);
  m.set('huge', 'ttttttt', 3);
  assert.equal(m.get('huge', 3), undefined);
});

test('should give an entry out once with take, and nothing past its age', () => {
  const m = map();
  m.set('a', 'x', 0);
  assert.equal(m.take('a', 50), 'x');
  assert.equal(m.get('a', 50), undefined);
  m.set('b', 'y', 0);
  assert.equal(m.get('b', 100), undefined);
  assert.equal(m.size, 0);
});
