import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routes } from '../../functions.config.ts';
import { buildRoutes, matchRoute } from '../../runtime/routes.ts';

const table = buildRoutes(routes);

test('should find the function for a method and path, with decoded parameters', () => {
  const match = matchRoute(table, 'GET', '/ocr/jobs/abc%2Ddef');
  assert.ok(match && 'route' in match);
  assert.equal(match.route.fn.name, 'getJob');
  assert.deepEqual(match.params, { jobId: 'abc-def' });
});

test('should tell an unknown path from a known path with the wrong method', () => {
  assert.equal(matchRoute(table, 'GET', '/nothing/here'), null);
  assert.deepEqual(matchRoute(table, 'DELETE', '/ocr'), { allowed: ['POST'] });
});

test('should route POST /ocr/async to the ocr function as an event', () => {
  const match = matchRoute(table, 'POST', '/ocr/async');
  assert.ok(match && 'route' in match);
  assert.equal(match.route.fn.name, 'ocr');
  assert.equal(match.route.invocation, 'event');
});

test('should refuse a route table that names a route twice', () => {
  assert.throws(() => buildRoutes([...routes, routes[0]!]), /configured twice/);
});
