import fs from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../config.ts';
import { inTransaction, type Pool } from './pool.ts';

const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'runtime', 'db', 'migrations');
// Arbitrary constant: every process of every machine sharing the database takes the same lock.
const MIGRATION_LOCK = 7_340_512_901;

/**
 * Applies migrations/NNN_name.sql in order, each once. Four processes start at once, so the whole
 * run holds a transaction-scoped advisory lock: the losers wait, then find nothing left to do.
 */
export async function migrate(pool: Pool): Promise<string[]> {
  const files = (await fs.readdir(MIGRATIONS_DIR)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      await client.query(await fs.readFile(path.join(MIGRATIONS_DIR, file), 'utf8'));
      await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
      applied.push(file);
    }
    return applied;
  });
}
