import WebSocket from 'ws';
import { httpRequest, type HttpReply } from './http.ts';

/** Polls a job until it reaches one of `states` (default: a final state). */
export async function waitForJob(
  baseUrl: string,
  jobId: string,
  options: { states?: string[]; timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<any> {
  const states = options.states ?? ['succeeded', 'failed'];
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last: HttpReply | undefined;
  while (Date.now() < deadline) {
    // A connection queued on a process that is being killed is reset; a poller just asks again.
    last = await httpRequest(`${baseUrl}/ocr/jobs/${jobId}`, { headers: options.headers, timeoutMs: 5_000 }).catch(() => undefined);
    if (last?.status === 200 && states.includes(last.json.status)) return last.json;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${jobId} did not reach ${states.join('/')} in time; last: ${last?.text}`);
}

export interface JobSocket {
  worker: string;
  socket: WebSocket;
  messages: any[];
  /** Resolves with the first message matching `predicate` (already received ones count). */
  next(predicate: (m: any) => boolean, timeoutMs?: number): Promise<any>;
  close(): void;
}

export function openJobSocket(baseUrl: string, query = ''): Promise<JobSocket> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws${query}`);
  const messages: any[] = [];
  const waiters: { predicate: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    messages.push(message);
    for (const w of [...waiters]) {
      if (w.predicate(message)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(message);
      }
    }
  });
  const next = (predicate: (m: any) => boolean, timeoutMs = 30_000) => {
    const found = messages.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message; got ${JSON.stringify(messages)}`)), timeoutMs);
      waiters.push({ predicate, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  };
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', async () => {
      const welcome = await next((m) => m.type === 'welcome', 5_000);
      resolve({ worker: welcome.worker, socket, messages, next, close: () => socket.close() });
    });
  });
}
