// The ceiling for the overhead scenario: a client calling the emulator directly through the same
// AWS SDK the service uses, closed loop at the same concurrency. What the service adds on top
// (HTTP in, PostgreSQL, result normalisation) is the distance from this rate.
import http from 'node:http';
import { DetectDocumentTextCommand, TextractClient } from '@aws-sdk/client-textract';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { DocumentProvider } from '../loadtest/index.ts';

export interface DirectResult {
  ok: number;
  failed: number;
  durationMs: number;
  latencies: number[];
  /** By SDK error name. */
  errors: Record<string, number>;
}

export async function runDirectTextract(options: {
  endpoint: string;
  concurrency: number;
  durationMs: number;
  provider: DocumentProvider;
  signal: AbortSignal;
}): Promise<DirectResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const client = new TextractClient({
    region: 'us-east-1',
    endpoint: options.endpoint,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    requestHandler: new NodeHttpHandler({ httpAgent: agent }),
  });
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  let seq = 0;
  const t0 = performance.now();
  const end = t0 + options.durationMs;
  try {
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (performance.now() < end && !options.signal.aborted) {
          const document = await options.provider(seq++);
          const start = performance.now();
          try {
            await client.send(new DetectDocumentTextCommand({ Document: { Bytes: document.bytes } }));
            ok++;
            latencies.push(performance.now() - start);
          } catch (err) {
            failed++;
            const name = (err as Error)?.name ?? 'Error';
            errors[name] = (errors[name] ?? 0) + 1;
          }
        }
      }),
    );
    return { ok, failed, durationMs: performance.now() - t0, latencies, errors };
  } finally {
    client.destroy();
    agent.destroy();
  }
}
