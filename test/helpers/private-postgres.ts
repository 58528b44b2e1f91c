import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../runtime/db/embedded.ts';
import { freePort } from './service.ts';

// A PostgreSQL server of a suite's own, for tests that stop, start or kill it: the shared test
// server must never go down under the other suites.

export interface PrivatePostgres {
  server: EmbeddedDatabase;
  dataDir: string;
  /** The URL of the service's database on it. */
  url: string;
  close(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  // Under the temp folder: as root the server runs as `postgres`, which must reach its data.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dtat-pg-'));
  fs.chmodSync(root, 0o755);
  const dataDir = path.join(root, 'data');
  const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'dtat' });
  return {
    server,
    dataDir,
    url: server.url('dtat'),
    async close() {
      await server.stop().catch(() => {});
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
