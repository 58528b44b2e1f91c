import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT } from './config.ts';

// Workers run compiled JavaScript, not TypeScript through a loader: a loader costs each of the
// four processes its own compiler thread and memory, and startup time on every restart.

const BUILD_ROOT = path.join(PROJECT_ROOT, '.data', 'build');

/**
 * Compiles into a folder of this launcher's own (several launchers may start at once, e.g. in
 * tests); folders of launchers that are gone are pruned. Inside the project, so the output
 * resolves packages from node_modules.
 */
export async function buildWorker(): Promise<{ entry: string; dir: string }> {
  pruneStaleBuilds();
  const outdir = path.join(BUILD_ROOT, String(process.pid));
  await build({
    entryPoints: { worker: path.join(PROJECT_ROOT, 'runtime', 'worker.ts') },
    outdir,
    bundle: true,
    // Dependencies load from node_modules as usual (native uWS, WASM engines).
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // Keeps on-demand imports (the local engine) out of the main chunk.
    splitting: true,
    sourcemap: 'linked',
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
  });
  return { entry: path.join(outdir, 'worker.mjs'), dir: outdir };
}

function pruneStaleBuilds(): void {
  if (!fs.existsSync(BUILD_ROOT)) return;
  for (const name of fs.readdirSync(BUILD_ROOT)) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) {
      fs.rmSync(path.join(BUILD_ROOT, name), { recursive: true, force: true });
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
