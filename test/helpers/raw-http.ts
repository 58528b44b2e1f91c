import net from 'node:net';

// A client that writes exactly the bytes given, as hostile or old clients do, and reports what
// came back and when the server closed the connection.

export interface RawExchange {
  /** Everything the server sent. */
  text: string;
  /** Status codes of the responses, in order (interim 100 Continue included). */
  statuses: number[];
  /** Milliseconds from connect to the server's close (FIN or reset); null if still open at the end. */
  closedAfterMs: number | null;
}

export function rawExchange(
  port: number,
  chunks: (string | Buffer)[],
  options: { gapMs?: number; waitMs?: number; until?: (text: string) => boolean } = {},
): Promise<RawExchange> {
  const { gapMs = 0, waitMs = 5_000 } = options;
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const started = Date.now();
    let text = '';
    let closedAfterMs: number | null = null;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, statuses: [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1])), closedAfterMs });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (d) => {
      text += d.toString('latin1');
      if (options.until?.(text)) finish();
    });
    const closed = () => {
      closedAfterMs ??= Date.now() - started;
      finish();
    };
    socket.on('end', closed);
    socket.on('error', closed);
    socket.on('close', closed);
    socket.once('connect', async () => {
      for (const chunk of chunks) {
        if (settled || socket.destroyed) return;
        socket.write(chunk);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

/** True once `text` holds a complete response with a Content-Length body (interim 1xx skipped). */
export function hasFinalResponse(text: string): boolean {
  const final = /HTTP\/1\.[01] [2-5]\d\d[^]*?\r\n\r\n/.exec(text);
  if (!final) return false;
  const length = /content-length: *(\d+)/i.exec(final[0]);
  return length !== null && text.length >= final.index + final[0].length + Number(length[1]);
}
