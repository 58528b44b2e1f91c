import type { Pool } from '../db/pool.ts';
import * as q from '../db/queries.ts';
import { errorBody, httpError } from '../errors.ts';
import type { SocketHandle, WebSocketHandlers } from '../http/adapter.ts';
import { createKeyCheck, presentedKey } from '../http/api-keys.ts';
import type { OutgoingResponse } from '../http/pipeline.ts';
import { jobEvent, type JobRow } from './job-json.ts';

// WebSocket /ws: a client subscribes to job ids and is pushed every state change. Changes reach
// this process through LISTEN/NOTIFY (see listener.ts) and go out through uWS topics.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_SUBSCRIPTIONS = 1_000;

export const jobTopic = (jobId: string) => `job:${jobId.toLowerCase()}`;

// The job feed (the dashboard's live list): every job's changes, not just subscribed ids. It is
// a topic of its own so it can be scoped: once jobs belong to tenants, the relay publishes each
// change to its tenant's feed (feedTopicOf reads the tenant from the NOTIFY payload) and a socket
// joins the feed of the tenant its API key belongs to (feedTopicFor), never another's. Until
// then there is one feed, as every key may already read every job by id.
const FEED_TOPIC = 'feed:jobs';
const FEED_SNAPSHOT = 20;

/** The feed topic a job change goes to (the worker's NOTIFY relay). */
export function feedTopicOf(_payload: string): string {
  return FEED_TOPIC;
}

/** The feed topic a socket presenting `apiKey` may join. */
function feedTopicFor(_apiKey: string | undefined): string {
  return FEED_TOPIC;
}

interface SocketState {
  subscriptions: Set<string>;
  initial: string[];
  apiKey: string | undefined;
  feed: string | null;
  wantsFeed: boolean;
}

export function createJobSocketHandlers(deps: { db: Pool; apiKeys: string[]; workerId: string }): WebSocketHandlers<SocketState> {
  const keyAccepted = createKeyCheck(deps.apiKeys);

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
      socket.subscribe(topic);
      // A job that finished before the subscription would otherwise never be heard of.
      void deps.db
        .query(q.findJob(id))
        .then(({ rows }) => {
          const row = rows[0] as JobRow | undefined;
          if (!row) send(socket, { type: 'error', code: 'JOB_NOT_FOUND', message: 'no such job', jobId: id });
          else if (row.status === 'succeeded' || row.status === 'failed') socket.send(jobEvent(row));
        })
        .catch(() => {});
    }
  };

  /** Joins the job feed and sends the newest jobs, so the list is whole before the first change. */
  const joinFeed = (socket: SocketHandle, state: SocketState) => {
    if (state.feed) return;
    state.feed = feedTopicFor(state.apiKey);
    socket.subscribe(state.feed);
    void deps.db
      .query(q.recentJobs(FEED_SNAPSHOT))
      .then(({ rows }) => socket.send(`{"type":"jobs","jobs":[${(rows as JobRow[]).reverse().map(jobEvent).join(',')}]}`))
      .catch(() => send(socket, { type: 'error', code: 'UNAVAILABLE', message: 'the recent jobs could not be read' }));
  };

  return {
    upgrade(request) {
      // Browsers cannot set headers on a WebSocket, so the key may come in the query string.
      const apiKey = presentedKey(request.headers) ?? request.query.get('apiKey') ?? undefined;
      if (!keyAccepted(apiKey)) {
        const err = httpError('UNAUTHORIZED', 'A valid API key is required (x-api-key, Authorization: Bearer, or ?apiKey= for browsers).');
        const response: OutgoingResponse = { status: 401, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(errorBody(err, '')) };
        return response;
      }
      const wantsFeed = request.query.get('feed') === 'jobs';
      return { data: { subscriptions: new Set<string>(), initial: request.query.getAll('jobId'), apiKey, feed: null, wantsFeed } };
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
