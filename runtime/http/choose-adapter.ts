import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PROJECT_ROOT } from '../config.ts';
import type { AdapterName, Listen } from './adapter.ts';
import { listenNode } from './adapter-node.ts';
import type { AdapterSetting } from './adapter-setting.ts';
import { createUwsListen, type UwsModule } from './adapter-uws.ts';

// HTTP_ADAPTER=auto|uws|node. `auto` takes uWS when its native build loads here, else the node
// adapter, and says which and why. The uWS package's own loader is bypassed: the npm build we
// install falls back to a slow JavaScript emulation when its binary does not load, and the
// official build throws an error without a reason we can log apart from the rest.

export type UwsProbe = { loaded: true; native: UwsModule; description: string } | { loaded: false; reason: string };

export type AdapterChoice = { adapter: AdapterName; reason: string; listen: Listen } | { refused: string };

// Node majors by native-module ABI (process.versions.modules), for messages people can act on.
const NODE_BY_ABI: Record<string, string> = { '93': '16', '108': '18', '115': '20', '127': '22', '137': '24', '141': '25' };

/**
 * Loads the native uWS binary of `specifier` (a package name, e.g. the `uWebSockets.js` alias,
 * or a folder) for this Node's ABI, platform and architecture. Both layouts are known: the
 * official one (`uws_<platform>_<arch>_<abi>.node` beside `uws.js`, as in
 * @btc-vision/uwebsockets.js) and @trufflesuite/uws-js-unofficial's `binaries/` folder.
 */
export function probeUws(specifier: string): UwsProbe {
  const require = createRequire(path.join(PROJECT_ROOT, 'package.json'));
  let entry: string;
  try {
    entry = require.resolve(specifier);
  } catch {
    return { loaded: false, reason: `the package "${specifier}" is not installed` };
  }
  const root = packageRoot(path.dirname(entry));
  const pkg = readPackage(root);
  const name = `${pkg.name ?? specifier}@${pkg.version ?? '?'}`;
  const abi = process.versions.modules;
  const file = `uws_${process.platform}_${process.arch}_${abi}.node`;
  const binary = [path.join(root, file), path.join(root, 'binaries', file)].find((f) => fs.existsSync(f));
  if (!binary) {
    const available = availableAbis(root).map((a) => (NODE_BY_ABI[a] ? `${a} (Node ${NODE_BY_ABI[a]})` : a));
    return {
      loaded: false,
      reason: `${name} has no build for Node ${process.versions.node} (ABI ${abi}) on ${process.platform}-${process.arch}; it has ABI ${available.join(', ') || 'none for this platform'}`,
    };
  }
  try {
    const native = require(binary) as UwsModule;
    if (typeof native.App !== 'function') return { loaded: false, reason: `${binary} is not a uWebSockets.js build` };
    return { loaded: true, native, description: `${name}, ${path.relative(root, binary)}` };
  } catch (err) {
    // Typically "version `GLIBC_2.38' not found": the build needs a newer C library than this host's.
    return { loaded: false, reason: `${name} cannot load ${path.relative(root, binary)}: ${(err as Error).message.split('\n')[0]}` };
  }
}

export function chooseAdapter(setting: AdapterSetting, uwsSpecifier: string): AdapterChoice {
  if (setting === 'node') return { adapter: 'node', reason: 'HTTP_ADAPTER=node', listen: listenNode };
  const probe = probeUws(uwsSpecifier);
  if (probe.loaded) {
    const reason = setting === 'uws' ? `HTTP_ADAPTER=uws; loaded ${probe.description}` : `the native uWebSockets.js build loads (${probe.description})`;
    return { adapter: 'uws', reason, listen: createUwsListen(probe.native) };
  }
  if (setting === 'uws') {
    return {
      refused: `HTTP_ADAPTER=uws but uWebSockets.js cannot run here: ${probe.reason}. Unset HTTP_ADAPTER (or set auto) to serve with the node adapter; see the README for a uWS build for newer Node versions.`,
    };
  }
  return { adapter: 'node', reason: `uWebSockets.js cannot run here (${probe.reason})`, listen: listenNode };
}

function packageRoot(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json'))) return d;
    if (path.dirname(d) === d) return dir;
  }
}

function readPackage(root: string): { name?: string; version?: string } {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  } catch {
    return {};
  }
}

function availableAbis(root: string): string[] {
  const prefix = `uws_${process.platform}_${process.arch}_`;
  const names = [root, path.join(root, 'binaries')].flatMap((d) => (fs.existsSync(d) ? fs.readdirSync(d) : []));
  return [...new Set(names.filter((n) => n.startsWith(prefix) && n.endsWith('.node')).map((n) => n.slice(prefix.length, -'.node'.length)))].sort(
    (a, b) => Number(a) - Number(b),
  );
}
