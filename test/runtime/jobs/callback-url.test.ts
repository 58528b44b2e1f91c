import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCallbackUrl, hostAllowed } from '../../../runtime/jobs/callback-url.ts';

test('should allow listed hosts and subdomains of wildcard entries only', () => {
  const allowed = ['hooks.example.com', '*.boomi.example.net'];
  assert.equal(hostAllowed('hooks.example.com', allowed), true);
  assert.equal(hostAllowed('a.boomi.example.net', allowed), true);
  assert.equal(hostAllowed('boomi.example.net', allowed), false);
  assert.equal(hostAllowed('evilboomi.example.net', allowed), false);
  assert.equal(hostAllowed('hooks.example.com.evil.io', allowed), false);
});

test('should refuse callback URLs that are malformed, not http, carry credentials or go elsewhere', () => {
  const ok = checkCallbackUrl('https://hooks.example.com/dtat', ['hooks.example.com'], 's');
  assert.equal(ok.hostname, 'hooks.example.com');
  for (const bad of ['not a url', 'ftp://hooks.example.com/x', 'https://u:p@hooks.example.com/', 'http://169.254.169.254/latest']) {
    assert.throws(() => checkCallbackUrl(bad, ['hooks.example.com'], 's'), (err: any) => err.code === 'VALIDATION_FAILED', bad);
  }
  assert.throws(() => checkCallbackUrl('https://hooks.example.com/', ['hooks.example.com'], undefined), /CALLBACK_SECRET/);
});
