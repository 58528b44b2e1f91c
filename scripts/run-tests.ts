import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../runtime/config.ts';
import { startEmbeddedPostgres } from '../runtime/db/embedded.ts';

// `npm test`: a real PostgreSQL for the suites (the embedded one unless DATABASE_URL names a
// server), then node's test runner over test/**/*.test.ts. Each suite creates its own database.

function findTests(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findTests(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const files = findTests(path.join(PROJECT_ROOT, 'test'))
    .map((f) => path.relative(PROJECT_ROOT, f))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  let adminUrl = process.env.DATABASE_URL;
  const embedded = adminUrl
    ? null
    : await startEmbeddedPostgres({ dataDir: path.join(PROJECT_ROOT, '.data', 'pg-test'), port: 54339, database: 'postgres' });
  adminUrl ??= embedded!.url('postgres');

  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
      cwd: PROJECT_ROOT,
      stdio: 'inherit',
      env: { ...process.env, TEST_ADMIN_DATABASE_URL: adminUrl, DATABASE_URL: '' },
    });
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  await embedded?.stop();
  process.exit(code);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
