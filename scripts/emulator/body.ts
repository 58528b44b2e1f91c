// Request bodies with a hard cap: Textract documents are large, and a client that sends too much
// must be refused without the emulator holding the excess in memory.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError, TextractError } from './protocol.ts';

/** A 10 MiB document is ~13.4 MiB once base64-encoded in JSON; anything past this is refused unread. */
export const MAX_BODY_BYTES = 15 * 1024 * 1024;

type ReadResult = { kind: 'ok'; body: Buffer } | { kind: 'too-large' } | { kind: 'aborted' };

/** Reads a body up to `limit` bytes; a declared or actual excess stops reading at once. */
export function readBody(req: IncomingMessage, limit: number): Promise<ReadResult> {
  return new Promise((settle) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      settle({ kind: 'too-large' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        chunks.length = 0;
        settle({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      settle({ kind: 'ok', body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size) });
    };
    const onAbort = (): void => {
      cleanup();
      settle({ kind: 'aborted' });
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onAbort);
  });
}

/**
 * Refuses an oversized body without buffering it: answer first, then drop the connection once the
 * answer is out (the client may still be sending, and keep-alive cannot survive an unread body).
 */
export function refuseTooLarge(req: IncomingMessage, res: ServerResponse, requestId: string): void {
  req.on('data', () => {});
  res.on('finish', () => setTimeout(() => req.socket.destroy(), 500).unref());
  sendError(res, new TextractError(413, 'DocumentTooLargeException', `Request body exceeds ${MAX_BODY_BYTES} bytes`), requestId, { connection: 'close' });
}
