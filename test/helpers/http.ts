import http from 'node:http';

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

/**
 * A request on a fresh connection (no keep-alive), so successive calls can reach other workers.
 * Like any real client it gives up after `timeoutMs` (default 60 s): a connection caught in a
 * worker's death (SIGKILL in the recovery tests) is never answered, and a poller asks again.
 */
export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string; agent?: http.Agent | false; timeoutMs?: number } = {},
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false, timeout: options.timeoutMs ?? 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode!, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no answer from ${new URL(url).pathname} within ${options.timeoutMs ?? 60_000} ms`)));
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}

export function postDocument(url: string, bytes: Buffer, headers: Record<string, string> = {}): Promise<HttpReply> {
  return httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...headers }, body: bytes });
}
