// CI's licence gate: every package in the production dependency tree (what `npm ci --omit=dev`
// installs and the service runs) must be under a permissive licence. Copyleft licences (AGPL,
// GPL, LGPL, SSPL, ...) and packages without a recognisable licence fail the check, because a
// company running the service must be able to do so without publishing its own source.
//
// The policy is an allowlist, not a denylist: licences rated by the Blue Oak Council as
// permissive ("bronze" or better: MIT, ISC, BSD, Apache-2.0, 0BSD, Zlib, ...), read from each
// installed package by `licensee` (with its crowdsourced corrections of wrong metadata). A
// dual-licensed package ("MIT OR GPL-3.0") passes, since the permissive option can be chosen.
//
//   node --import tsx scripts/check-licences.ts [--dir DIR] [--json]
//
// Exit status: 0 all permissive; 1 a package is not; 2 the tree could not be read.
import path from 'node:path';
import { parseArgs } from 'node:util';
import licensee from 'licensee';
import { PROJECT_ROOT } from '../runtime/config.ts';

export interface LicenceResult {
  name: string;
  version: string;
  license?: string;
  approved: boolean;
}

// Also the SIL Open Font License: the searchable PDF embeds Noto Sans, and OFL-1.1 lets fonts be
// bundled, embedded and redistributed with any software; its conditions bind only the font itself
// (not sold on its own, renamed when modified), never the code or documents that use it.
export const POLICY = { licenses: { blueOak: 'bronze', spdx: ['OFL-1.1'] }, corrections: true, productionOnly: true };

/** Every production package under `dir` (a folder holding package.json and node_modules). */
export function checkLicences(dir: string): Promise<LicenceResult[]> {
  return new Promise((resolve, reject) => {
    // licensee compiles the policy into the object it is given: a fresh copy per call.
    licensee(structuredClone(POLICY), dir, (error: Error | null, results: LicenceResult[]) => (error ? reject(error) : resolve(results)));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dir: { type: 'string' }, json: { type: 'boolean' } } });
  const dir = path.resolve(values.dir ?? PROJECT_ROOT);
  let results: LicenceResult[];
  try {
    results = await checkLicences(dir);
  } catch (error) {
    console.error(`check-licences: could not read the dependency tree in ${dir}: ${(error as Error).message}`);
    process.exit(2);
  }
  const refused = results.filter((r) => !r.approved);
  if (values.json) console.log(JSON.stringify({ checked: results.length, refused }, null, 2));
  else if (refused.length === 0) console.log(`check-licences: ${results.length} production packages, all under permissive licences`);
  else {
    console.error(`check-licences: ${refused.length} of ${results.length} production packages are not under a permissive licence:`);
    for (const r of refused) console.error(`  ${r.name}@${r.version}: ${r.license ?? 'no licence stated'}`);
  }
  process.exit(refused.length === 0 ? 0 : 1);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
