import type { Outcome } from '../http.ts';
import type { LoadDocument } from '../types.ts';

/** One client of a mode: in closed loop one per --concurrency slot; it sends one document at a time. */
export interface ModeClient {
  /** Sets up what the client keeps (a WebSocket) before the clock starts; never throws. */
  warm(): Promise<void>;
  send(document: LoadDocument, requestId: string, signal: AbortSignal): Promise<Outcome>;
  /** WebSocket re-connections after a loss (0 for HTTP-only modes). */
  reconnects(): number;
  close(): Promise<void>;
}
