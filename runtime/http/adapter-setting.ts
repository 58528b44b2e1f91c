import type { AdapterName } from './adapter.ts';

// HTTP_ADAPTER, parsed apart from the chooser so that reading the configuration loads no server.

export type AdapterSetting = 'auto' | AdapterName;

export function parseAdapterSetting(raw: string | undefined): AdapterSetting {
  const value = (raw ?? '').trim().toLowerCase() || 'auto';
  if (value !== 'auto' && value !== 'uws' && value !== 'node') throw new Error(`HTTP_ADAPTER must be auto, uws or node, got "${raw}"`);
  return value;
}
