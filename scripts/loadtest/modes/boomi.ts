// boomi: traffic shaped like a Dell Boomi HTTP Client connector: raw binary body with its
// Content-Type, a keep-alive connection per thread, Boomi's kind of User-Agent, a 120 s read
// timeout; each thread posts its documents one after another. --boomi-async posts to /ocr/async
// and waits on a WebSocket, as a Boomi process with a listener would.
import type { HttpContext } from '../http.ts';
import { asyncWsClient } from './async-ws.ts';
import type { ModeClient } from './client.ts';
import { syncClient } from './sync.ts';

export const BOOMI_USER_AGENT = 'Boomi Http Transport/1.0 (AtomSphere; Java/11.0.22)';
export const BOOMI_READ_TIMEOUT_MS = 120_000;

export function boomiHeaders(): Record<string, string> {
  return { 'user-agent': BOOMI_USER_AGENT, connection: 'keep-alive', accept: '*/*' };
}

export function boomiClient(ctx: HttpContext, async: boolean): ModeClient {
  const boomiCtx = { ...ctx, headers: { ...ctx.headers, ...boomiHeaders() } };
  return async ? asyncWsClient(boomiCtx) : syncClient(boomiCtx);
}
