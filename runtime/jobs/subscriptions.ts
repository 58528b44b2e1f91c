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

interface SocketState {
  subscriptions: Set<string>;
  initial: string[];
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

  return {
    upgrade(request) {
      // Browsers cannot set headers on a WebSocket, so the key may come in the query string.
      if (!keyAccepted(presentedKey(request.headers) ?? request.query.get('apiKey') ?? undefined)) {
        const err = httpError('UNAUTHORIZED', 'A valid API key is required (x-api-key, Authorization: Bearer, or ?apiKey= for browsers).');
        const response: OutgoingResponse = { status: 401, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(errorBody(err, '')) };
        return response;
      }
      return { data: { subscriptions: new Set<string>(), initial: request.query.getAll('jobId') } };
    },
    open(socket, state) {
      send(socket, { type: 'welcome', worker: deps.workerId });
      subscribe(socket, state, state.initial);
    },
    message(socket, state, text) {
      let message: { subscribe?: unknown; unsubscribe?: unknown };
      try {
        message = JSON.parse(text);
      } catch {
        send(socket, { type: 'error', code: 'BAD_REQUEST', message: 'messages are JSON: {"subscribe": [jobId, ...]}' });
        return;
      }
      if (Array.isArray(message?.subscribe)) subscribe(socket, state, message.subscribe);
      if (Array.isArray(message?.unsubscribe)) {
        for (const id of message.unsubscribe) {
          if (typeof id !== 'string') continue;
          const topic = jobTopic(id);
          if (state.subscriptions.delete(topic)) socket.unsubscribe(topic);
        }
      }
      if (!Array.isArray(message?.subscribe) && !Array.isArray(message?.unsubscribe)) {
        send(socket, { type: 'error', code: 'BAD_REQUEST', message: 'expected {"subscribe": [...]} or {"unsubscribe": [...]}' });
      }
    },
    close(_socket, state) {
      state.subscriptions.clear();
    },
  };
}
