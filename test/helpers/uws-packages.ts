import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { PROJECT_ROOT } from '../../runtime/config.ts';

// Stand-ins for uWebSockets.js packages, laid out like the real ones, for testing how the
// service picks its HTTP adapter without installing other builds.

const BINARY = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;

function makePackage(name: string, files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dtat-${name}-`));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'uws.js' }));
  fs.writeFileSync(path.join(dir, 'uws.js'), "throw new Error('the loader is never used');\n");
  for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), content);
  return dir;
}

/** A build for this Node whose binary cannot load (as a glibc 2.38 build fails on Debian 12). */
export function brokenUwsPackage(): string {
  return makePackage('broken-uws', { [BINARY]: 'not an ELF file' });
}

/** A package that has builds for other Node versions only. */
export function otherNodeUwsPackage(): string {
  return makePackage('old-uws', { [`uws_${process.platform}_${process.arch}_93.node`]: 'x', [`uws_${process.platform}_${process.arch}_108.node`]: 'x' });
}

/**
 * The installed native build copied into the official layout (binary beside uws.js, as
 * uNetworking's and @btc-vision's packages ship it); null when none exists for this Node.
 */
export function officialLayoutUwsPackage(): string | null {
  const require = createRequire(path.join(PROJECT_ROOT, 'package.json'));
  const installed = path.join(path.dirname(path.dirname(require.resolve('uWebSockets.js'))), 'binaries', BINARY);
  if (!fs.existsSync(installed)) return null;
  return makePackage('official-layout-uws', { [BINARY]: fs.readFileSync(installed) });
}

export function removePackage(dir: string | null): void {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
