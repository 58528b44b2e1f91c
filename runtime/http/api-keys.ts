import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import { ANONYMOUS, TENANT_NAME, type Tenant } from '../tenants.ts';

// Which tenant a presented API key belongs to, for HTTP routes and WebSocket upgrades alike.
// Keys are held only as SHA-256 digests: the file may store nothing else, and a key read from
// API_KEYS is hashed as it is read. Every request's key is hashed and compared with every digest
// in constant time, so neither a key nor which tenant it belongs to can be learned byte by byte
// from response timings. Nothing here ever logs a key, or a line of the file that may hold one.

export interface KeyEntry {
  tenant: string;
  /** SHA-256 of the key. */
  digest: Buffer;
}

export interface KeySources {
  /** API_KEYS entries: `name:key`, or a bare key whose tenant is named after its hash. */
  apiKeys: readonly string[];
  /** API_KEYS_FILE: one `name:sha256:<64 hex>` or `name:key` per line; # comments. */
  apiKeysFile?: string;
  adminTenants: readonly string[];
}

export interface KeyRing {
  /** False when neither API_KEYS nor API_KEYS_FILE is set: every request is the anonymous tenant. */
  readonly required: boolean;
  /** The key's tenant; ANONYMOUS when no keys are required; null for a missing or unknown key. */
  identify(presented: string | undefined): Tenant | null;
  /** Reads API_KEYS_FILE again (SIGHUP); on an error the keys in use stay as they were. */
  reload(): { tenants: number; keys: number };
  /** The names of the tenants that have a key. */
  tenants(): string[];
}

const HASHED = /^sha256:([0-9a-f]{64})$/i;

export const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * A bare key's tenant: named after its hash, so it stays the same across restarts and machines
 * without revealing the key. Name keys (`name:key`) to rotate them: a new bare key is a new tenant.
 */
export function derivedTenantName(key: string): string {
  return `key-${sha256(key).toString('hex').slice(0, 8)}`;
}

/** API_KEYS: comma-separated `name:key` or bare keys. */
export function parseKeyList(entries: readonly string[]): KeyEntry[] {
  return entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    if (colon < 0) return { tenant: derivedTenantName(entry), digest: sha256(entry) };
    return keyEntry(entry.slice(0, colon), entry.slice(colon + 1), `API_KEYS entry ${i + 1}`);
  });
}

/** API_KEYS_FILE's text: `name:sha256:<hex>` (recommended: the file then holds no key) or `name:key`. */
export function parseKeyFile(text: string): KeyEntry[] {
  const entries: KeyEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    // The message names the line, never its text: it may be a key.
    if (colon < 0) throw new Error(`API_KEYS_FILE line ${i + 1} is not "name:sha256:<hex>" or "name:key"`);
    entries.push(keyEntry(line.slice(0, colon), line.slice(colon + 1), `API_KEYS_FILE line ${i + 1}`));
  });
  return entries;
}

function keyEntry(tenant: string, secret: string, where: string): KeyEntry {
  if (!TENANT_NAME.test(tenant) || tenant === ANONYMOUS.name) {
    throw new Error(`${where}: the name must be 1-64 letters, digits, '.', '_' or '-' (and not "${ANONYMOUS.name}")`);
  }
  if (secret === '') throw new Error(`${where}: the key is empty`);
  const hashed = HASHED.exec(secret);
  return { tenant, digest: hashed ? Buffer.from(hashed[1]!, 'hex') : sha256(secret) };
}

/** Every key of every source; one key may not open two tenants. */
export function readKeys(sources: KeySources): KeyEntry[] {
  const entries = parseKeyList(sources.apiKeys);
  if (sources.apiKeysFile) entries.push(...parseKeyFile(fs.readFileSync(sources.apiKeysFile, 'utf8')));
  const owners = new Map<string, string>();
  for (const e of entries) {
    const hex = e.digest.toString('hex');
    const owner = owners.get(hex);
    if (owner !== undefined && owner !== e.tenant) throw new Error(`one API key is given to two tenants (${owner} and ${e.tenant})`);
    owners.set(hex, e.tenant);
  }
  return entries;
}

export function createKeyRing(sources: KeySources): KeyRing {
  const required = sources.apiKeys.length > 0 || sources.apiKeysFile !== undefined;
  let keys: { digest: Buffer; tenant: Tenant }[] = [];
  const load = () => {
    const entries = readKeys(sources);
    const tenants = new Map<string, Tenant>();
    for (const e of entries) {
      if (!tenants.has(e.tenant)) tenants.set(e.tenant, Object.freeze({ name: e.tenant, admin: sources.adminTenants.includes(e.tenant) }));
    }
    keys = entries.map((e) => ({ digest: e.digest, tenant: tenants.get(e.tenant)! }));
    return { tenants: tenants.size, keys: keys.length };
  };
  load();
  return {
    required,
    identify(presented) {
      if (!required) return ANONYMOUS;
      if (!presented) return null;
      const digest = sha256(presented);
      let found: Tenant | null = null;
      // MUST compare with every key, without stopping at a match: the time taken says nothing.
      for (const key of keys) {
        if (timingSafeEqual(key.digest, digest) && found === null) found = key.tenant;
      }
      return found;
    },
    reload: load,
    tenants: () => [...new Set(keys.map((k) => k.tenant.name))],
  };
}

/** x-api-key, or Authorization: Bearer. */
export function presentedKey(headers: Record<string, string>): string | undefined {
  return headers['x-api-key'] ?? headers.authorization?.replace(/^Bearer\s+/i, '');
}
