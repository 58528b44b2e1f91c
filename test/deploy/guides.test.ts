import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { routes } from '../../functions.config.ts';
import { loadConfig, PROJECT_ROOT } from '../../runtime/config.ts';
import { ERROR_CODES } from '../../runtime/errors.ts';
import { signBody } from '../../runtime/jobs/callbacks.ts';

// The guides are followed by people at a terminal or in Boomi: what they name must be what the
// code does. These checks tie each such fact in the guides to the code it describes.

const read = (name: string) => fs.readFileSync(path.join(PROJECT_ROOT, 'docs', name), 'utf8');
const deploy = read('deploy-ec2.md');
const boomi = read('boomi.md');
const envExample = fs.readFileSync(path.join(PROJECT_ROOT, '.env.example'), 'utf8');

/** The lines of the env file the EC2 guide writes with `sudo tee /etc/dtat-ocr.env`. */
function guideEnvFile(): Record<string, string> {
  const block = /tee \/etc\/dtat-ocr\.env[^\n]*<<'EOF'\n([\s\S]*?)\nEOF/.exec(deploy)?.[1];
  assert.ok(block, 'the guide writes /etc/dtat-ocr.env');
  return Object.fromEntries(
    block.split('\n').map((line) => {
      // systemd keeps a trailing comment as part of the value.
      assert.match(line, /^[A-Z_]+=[^#\s]*$/, `"${line}" is a plain KEY=value line`);
      const i = line.indexOf('=');
      return [line.slice(0, i), line.slice(i + 1)];
    }),
  );
}

test('should grant exactly the four Textract actions the service uses in the IAM policy', () => {
  const json = [...deploy.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!)).find((doc) => doc.Statement);
  assert.ok(json, 'a policy document');
  const actions = json.Statement.flatMap((s: { Effect: string; Action: string | string[] }) => {
    assert.equal(s.Effect, 'Allow');
    return [s.Action].flat();
  });
  assert.deepEqual(actions.sort(), ['textract:AnalyzeDocument', 'textract:AnalyzeExpense', 'textract:AnalyzeID', 'textract:DetectDocumentText']);
});

test('should write an env file of settings from .env.example that the service accepts', () => {
  const env = guideEnvFile();
  for (const key of Object.keys(env)) assert.match(envExample, new RegExp(`^${key}=`, 'm'), `${key} is documented in .env.example`);
  const config = loadConfig(env);
  assert.equal(config.ocrEngine, 'textract');
  assert.equal(config.host, '127.0.0.1', 'only the proxy reaches the service');
  // Parsed the way the service's pg client parses it (no connection is made).
  const db = new pg.Client({ connectionString: env.DATABASE_URL });
  assert.equal(db.host, '/var/run/postgresql', 'the local socket (peer authentication)');
  assert.equal(db.user, 'dtat');
  assert.equal(db.database, 'dtat');
  assert.match(deploy, /useradd [^\n]*\bdtat\b/, 'the OS user the unit runs as and peer authentication maps');
});

test('should size the proxy for the largest request and the longest synchronous wait', () => {
  const config = loadConfig(guideEnvFile());
  const bodyMiB = Number(/client_max_body_size (\d+)m;/.exec(deploy)?.[1]);
  // A document sent as base64 JSON: 4/3 of its bytes, plus the JSON around it.
  assert.ok(bodyMiB * 1024 * 1024 > (config.maxDocumentBytes * 4) / 3 + 64 * 1024, `client_max_body_size ${bodyMiB}m`);
  const readS = Number(/proxy_read_timeout (\d+)s;/.exec(deploy)?.[1]);
  assert.ok(readS * 1000 > config.syncTimeoutMs, `proxy_read_timeout ${readS}s`);
});

test('should name only routes the service has', () => {
  const known = new Set(routes.map((r) => `${r.method ?? r.function.method} ${(r.path ?? r.function.path).replace(/:([A-Za-z]+)/g, '{$1}')}`));
  let named = 0;
  for (const [name, text] of [['deploy-ec2.md', deploy], ['boomi.md', boomi]] as const) {
    for (const [, method, route] of text.matchAll(/`(GET|POST) (\/[\w/{}.-]*)/g)) {
      named++;
      assert.ok(known.has(`${method} ${route}`), `${name}: ${method} ${route}`);
    }
  }
  assert.ok(named >= 6, `${named} routes checked`);
});

test("should give each error code in the Boomi guide the service's status", () => {
  let rows = 0;
  for (const [, status, codes] of boomi.matchAll(/^\| (\d{3}) \| ([^|]+) \|/gm)) {
    for (const [, code] of codes!.matchAll(/`([A-Z_]+)`/g)) {
      rows++;
      assert.equal(ERROR_CODES[code as keyof typeof ERROR_CODES], Number(status), `${code} is ${status}`);
    }
  }
  assert.ok(rows >= 10, `${rows} codes checked`);
});

test("should show a callback signature example that matches the service's signing", () => {
  const body = /the body\n\n```\n(.*)\n```/.exec(boomi)?.[1];
  const signature = /must give\n\n```\n(sha256=[0-9a-f]{64})\n```/.exec(boomi)?.[1];
  const secret = /the secret `([^`]+)`/.exec(boomi)?.[1];
  assert.ok(body && signature && secret);
  assert.equal(signBody(secret, body), signature);
});
