import type { Pool } from '../db/pool.ts';
import * as q from '../db/queries.ts';
import { errorBody, httpError } from '../errors.ts';
import type { SocketHandle, WebSocketHandlers } from '../http/adapter.ts';
import { presentedKey, type KeyRing } from '../http/api-keys.ts';
import type { OutgoingResponse } from '../http/pipeline.ts';
import { scopeOf } from '../tenants.ts';
import { jobEvent, type JobRow } from './job-json.ts';

// WebSocket /ws: a client subscribes to job ids and is pushed every state change. Changes reach
// this process through LISTEN/NOTIFY (see listener.ts) and go out through uWS topics.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_SUBSCRIPTIONS = 1_000;

export const jobTopic = (jobId: string) => `job:${jobId.toLowerCase()}`;

// The job feed (the dashboard's live list): every change of the jobs a socket may see, not just
// subscribed ids. The relay publishes each change to the feed of everything (admins, and every
// key when no keys are set) and to its tenant's feed; a socket joins the one its key may see.
const FEED_ALL = 'feed:jobs';
const FEED_SNAPSHOT = 20;

/** The feed topics a job change of `tenant` goes to (the worker's NOTIFY relay). */
export function feedTopicsOf(tenant: string | null): string[] {
  return tenant ? [FEED_ALL, `${FEED_ALL}:${tenant}`] : [FEED_ALL];
}

/** The feed a socket whose jobs are `scope`'s (null: everyone's) joins. */
function feedTopicFor(scope: string | null): string {
  return scope === null ? FEED_ALL : `${FEED_ALL}:${scope}`;
}

interface SocketState {
  subscriptions: Set<string>;
  initial: string[];
  /** Whose jobs this socket may follow (null: everyone's). */
  scope: string | null;
  feed: string | null;
  wantsFeed: boolean;
}

const FINAL = new Set(['succeeded', 'failed']);

export function createJobSocketHandlers(deps: { db: Pool; keys: KeyRing; workerId: string }): WebSocketHandlers<SocketState> {
  const send = (socket: SocketHandle, message: unknown) => socket.send(JSON.stringify(message));

  const subscribe = (socket: SocketHandle, state: SocketState, ids: unknown[]) => {
    for (const id of ids) {
      if (typeof id !== 'string' || !UUID.test(id)) {
        send(socket, { type: 'error', code: 'VALIDATION_FAILED', message: 'job ids are UUIDs', jobId: typeof id === 'string' ? id.slice(0, 64) : undefined });
        continue;
      }
      if (state.subscriptions.size >= MAX_SUBSCRIPTIONS) {
        send(socket, { type: 'error', code: 'BAD_REQUEST', message: `at most ${MAX_SUBSCRIPTIONS} subscriptions per connection` });
        return;
      }
      const topic = jobTopic(id);
      if (state.subscriptions.has(topic)) continue;
      state.subscriptions.add(topic);
      void follow(socket, state, id, topic).catch(() => {});
    }
  };

  /**
   * Joins the job's topic only once the job is known to be the socket's tenant's: another
   * tenant's job is answered as an unknown one and none of its pushes are relayed. A job that
   * finished before the subscription (or while it was being checked) is answered with its final state.
   */
  const follow = async (socket: SocketHandle, state: SocketState, id: string, topic: string) => {
    const find = async () => (await deps.db.query(q.findJob(id, state.scope))).rows[0] as JobRow | undefined;
    // Every job is an admin's (and everyone's without keys): nothing to check before joining.
    const seesAll = state.scope === null;
    if (seesAll) socket.subscribe(topic);
    const row = await find();
    if (!row) {
      state.subscriptions.delete(topic);
      socket.unsubscribe(topic);
      send(socket, { type: 'error', code: 'JOB_NOT_FOUND', message: 'no such job', jobId: id });
      return;
    }
    if (FINAL.has(row.status)) return socket.send(jobEvent(row));
    if (seesAll || !state.subscriptions.has(topic)) return; // joined already, or unsubscribed meanwhile
    socket.subscribe(topic);
    // A change between the check and the subscription was published to nobody: look once more,
    // and pass on a state the client would otherwise have missed (it may then hear it twice).
    const now = await find();
    if (now && (FINAL.has(now.status) || now.status !== row.status)) socket.send(jobEvent(now));
  };

  /** Joins the job feed and sends the newest jobs, so the list is whole before the first change. */
  const joinFeed = (socket: SocketHandle, state: SocketState) => {
    if (state.feed) return;
    state.feed = feedTopicFor(state.scope);
    socket.subscribe(state.feed);
    void deps.db
      .query(q.recentJobs(FEED_SNAPSHOT, state.scope))
      .then(({ rows }) => socket.send(`{"type":"jobs","jobs":[${(rows as JobRow[]).reverse().map(jobEvent).join(',')}]}`))
      .catch(() => send(socket, { type: 'error', code: 'UNAVAILABLE', message: 'the recent jobs could not be read' }));
  };

  return {
    upgrade(request) {
      // Browsers cannot set headers on a WebSocket, so the key may come in the query string.
      const tenant = deps.keys.identify(presentedKey(request.headers) ?? request.query.get('apiKey') ?? undefined);
      if (tenant === null) {
        const err = httpError('UNAUTHORIZED', 'A valid API key is required (x-api-key, Authorization: Bearer, or ?apiKey= for browsers).');
        const response: OutgoingResponse = { status: 401, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(errorBody(err, '')) };
        return response;
      }
      const wantsFeed = request.query.get('feed') === 'jobs';
      return { data: { subscriptions: new Set<string>(), initial: request.query.getAll('jobId'), scope: scopeOf(tenant), feed: null, wantsFeed } };
    },
    open(socket, state) {
      send(socket, { type: 'welcome', worker: deps.workerId });
      subscribe(socket, state, state.initial);
      if (state.wantsFeed) joinFeed(socket, state);
    },
    message(socket, state, text) {
      let message: { subscribe?: unknown; unsubscribe?: unknown; feed?: unknown };
      try {
        message = JSON.parse(text);
      } catch {
        send(socket, { type: 'error', code: 'BAD_REQUEST', message: 'messages are JSON: {"subscribe": [jobId, ...]}' });
        return;
      }
      if (message?.feed === 'jobs') return joinFeed(socket, state);
      if (Array.isArray(message?.subscribe)) subscribe(socket, state, message.subscribe);
      if (Array.isArray(message?.unsubscribe)) {
        for (const id of message.unsubscribe) {
          if (typeof id !== 'string') continue;
          const topic = jobTopic(id);
          if (state.subscriptions.delete(topic)) socket.unsubscribe(topic);
        }
      }
      if (!Array.isArray(message?.subscribe) && !Array.isArray(message?.unsubscribe)) {
        send(socket, { type: 'error', code: 'BAD_REQUEST', message: 'expected {"subscribe": [...]}, {"unsubscribe": [...]} or {"feed": "jobs"}' });
      }
    },
    close(_socket, state) {
      state.subscriptions.clear();
    },
  };
}
