import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { createKeyRing, derivedTenantName, parseKeyFile, parseKeyList, readKeys } from '../../../runtime/http/api-keys.ts';
import { ANONYMOUS } from '../../../runtime/tenants.ts';

const hex = (key: string) => createHash('sha256').update(key).digest('hex');

describe('API keys', () => {
  test('should name a bare key after its hash, the same on every read, without revealing it', () => {
    const [entry] = parseKeyList(['s3cr3t-token']);
    assert.equal(entry!.tenant, derivedTenantName('s3cr3t-token'));
    assert.equal(entry!.tenant, parseKeyList(['s3cr3t-token'])[0]!.tenant);
    assert.match(entry!.tenant, /^key-[0-9a-f]{8}$/);
    assert.notEqual(derivedTenantName('k1'), derivedTenantName('k2'));
    assert.equal(entry!.digest.toString('hex'), hex('s3cr3t-token'));
  });

  test('should read name:key entries, and name:sha256:<hex> lines holding only the hash', () => {
    assert.deepEqual(
      parseKeyList(['alpha:key:with:colons']).map((e) => [e.tenant, e.digest.toString('hex')]),
      [['alpha', hex('key:with:colons')]],
    );
    const file = ['# rotation of alpha, 2025-06', `alpha:sha256:${hex('old').toUpperCase()}`, `  alpha:sha256:${hex('new')}  `, '', 'beta:plain-key'].join('\r\n');
    assert.deepEqual(
      parseKeyFile(file).map((e) => [e.tenant, e.digest.toString('hex')]),
      [['alpha', hex('old')], ['alpha', hex('new')], ['beta', hex('plain-key')]],
    );
  });

  test('should refuse malformed entries by position, never quoting them', () => {
    for (const [text, line] of [['just-a-secret-value', 1], ['ok:fine\nbad name:secret-value', 2], ['anonymous:secret-value', 1], ['alpha:', 1], [':secret-value', 1]] as const) {
      assert.throws(
        () => parseKeyFile(text),
        (err: Error) => err.message.includes(`line ${line}`) && !err.message.includes('secret-value'),
        text,
      );
    }
    assert.throws(() => parseKeyList(['ok:a', 'x y:secret-value']), (err: Error) => /entry 2/.test(err.message) && !err.message.includes('secret-value'));
  });

  test('should refuse one key given to two tenants', () => {
    assert.throws(() => readKeys({ apiKeys: ['alpha:same', 'beta:same'], adminTenants: [] }), /two tenants \(alpha and beta\)/);
    assert.equal(readKeys({ apiKeys: ['alpha:same', 'alpha:same'], adminTenants: [] }).length, 2);
  });

  test('should identify the tenant of each of its keys, with the admin mark, and nobody for another key', () => {
    const ring = createKeyRing({ apiKeys: ['alpha:a1', 'alpha:a2', 'ops:o1', 'bare'], adminTenants: ['ops'] });
    assert.equal(ring.required, true);
    assert.deepEqual(ring.identify('a1'), { name: 'alpha', admin: false });
    assert.equal(ring.identify('a2'), ring.identify('a1'));
    assert.deepEqual(ring.identify('o1'), { name: 'ops', admin: true });
    assert.equal(ring.identify('bare')!.name, derivedTenantName('bare'));
    for (const wrong of [undefined, '', 'a', 'a1 ', 'A1', hex('a1'), `sha256:${hex('a1')}`]) assert.equal(ring.identify(wrong), null, String(wrong));
  });

  test('should let everyone in as the anonymous tenant when no keys are set, and no one when the key file is empty', () => {
    assert.equal(createKeyRing({ apiKeys: [], adminTenants: [] }).identify(undefined), ANONYMOUS);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtat-keys-'));
    const file = path.join(dir, 'keys');
    fs.writeFileSync(file, '# no keys yet\n');
    try {
      const ring = createKeyRing({ apiKeys: [], apiKeysFile: file, adminTenants: [] });
      assert.equal(ring.required, true);
      assert.equal(ring.identify(undefined), null);
      assert.equal(ring.identify('anything'), null);
      fs.writeFileSync(file, 'alpha:a1\n');
      assert.deepEqual(ring.reload(), { tenants: 1, keys: 1 });
      assert.equal(ring.identify('a1')!.name, 'alpha');
      fs.writeFileSync(file, 'broken\n');
      assert.throws(() => ring.reload());
      assert.equal(ring.identify('a1')!.name, 'alpha', 'a failed reload keeps the keys in use');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
