import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, PROJECT_ROOT } from '../runtime/config.ts';
import { startEmbeddedPostgres } from '../runtime/db/embedded.ts';
import { probeUws } from '../runtime/http/choose-adapter.ts';

// `npm test`: a real PostgreSQL for the suites (the embedded one unless DATABASE_URL names a
// server), then node's test runner over test/**/*.test.ts. Each suite creates its own database.
// The end-to-end suites (test/e2e) run once per HTTP adapter that can run on this Node: uws and
// node where uWS loads, node alone where it does not. TEST_HTTP_ADAPTERS=node (or uws) narrows it.

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
  const adapters = testAdapters();
  const isE2e = (f: string) => f.startsWith(`test${path.sep}e2e${path.sep}`);
  // The first pass runs everything; the others only what goes through a server.
  const passes = adapters.map((adapter, i) => ({ adapter, files: i === 0 ? files : files.filter(isE2e) })).filter((p) => p.files.length > 0);
  let adminUrl = process.env.DATABASE_URL;
  const embedded = adminUrl
    ? null
    : await startEmbeddedPostgres({ dataDir: path.join(PROJECT_ROOT, '.data', 'pg-test'), port: 54339, database: 'postgres' });
  adminUrl ??= embedded!.url('postgres');

  let code = 0;
  for (const pass of passes) {
    const e2e = pass.files.filter(isE2e).length;
    console.log(`\n# Node ${process.versions.node}: ${pass.files.length} suite(s), the ${e2e} end-to-end one(s) on the ${pass.adapter} adapter\n`);
    const passCode = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...pass.files], {
        cwd: PROJECT_ROOT,
        stdio: 'inherit',
        env: { ...process.env, TEST_ADMIN_DATABASE_URL: adminUrl, DATABASE_URL: '', HTTP_ADAPTER: pass.adapter },
      });
      child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
    });
    code ||= passCode;
  }
  await embedded?.stop();
  process.exit(code);
}

function testAdapters(): string[] {
  const asked = process.env.TEST_HTTP_ADAPTERS?.split(',').map((a) => a.trim()).filter(Boolean);
  if (asked?.length) return asked;
  const probe = probeUws(loadConfig().uwsModule);
  if (probe.loaded) return ['uws', 'node'];
  console.log(`# uWebSockets.js cannot run here (${probe.reason}): the end-to-end suites run on the node adapter only`);
  return ['node'];
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
