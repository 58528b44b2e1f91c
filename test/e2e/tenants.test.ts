import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type EmulatorHandle } from '../../scripts/emulator/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { httpRequest, postDocument } from '../helpers/http.ts';
import { openJobSocket, waitForJob } from '../helpers/jobs.ts';
import { tinyPng } from '../helpers/png.ts';
import { startService, type RunningService } from '../helpers/service.ts';

// Tenants over real sockets and a real PostgreSQL: what one API key makes, another cannot see
// (404, as for an id that does not exist), while the same bytes still cost one Textract call.

const ALPHA = { 'x-api-key': 'key-alpha' };
// alpha's second key, as during a rotation.
const ALPHA_NEXT = { 'x-api-key': 'key-alpha-next' };
const BETA = { 'x-api-key': 'key-beta' };
const OPS = { authorization: 'Bearer key-ops' };
// Bare keys (no name), as API_KEYS took them before tenants had names.
const ONE = { 'x-api-key': 'key-one' };
const TWO = { 'x-api-key': 'key-two' };
const UNKNOWN_JOB = '00000000-0000-4000-8000-000000000000';

describe('tenants', () => {
  let db: TestDatabase;
  let emulator: EmulatorHandle;
  let service: RunningService;
  let hook: http.Server;
  let hookPort: number;
  const callbacks: { jobId: string; body: string }[] = [];

  before(async () => {
    hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        callbacks.push({ jobId: String(req.headers['x-dtat-job-id']), body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookPort = (hook.address() as { port: number }).port;
    db = await createTestDatabase();
    emulator = await startEmulator({ latencyMs: 100 });
    service = await startService({
      databaseUrl: db.url,
      workers: 2,
      env: {
        API_KEYS: 'alpha:key-alpha,beta:key-beta,ops:key-ops,alpha:key-alpha-next,key-one,key-two',
        ADMIN_TENANTS: 'ops',
        TEXTRACT_ENDPOINT: emulator.url,
        TEXTRACT_TPS: '0',
        CALLBACK_SECRET: 'tenants-secret',
        CALLBACK_ALLOWED_HOSTS: '127.0.0.1',
      },
    });
  });
  after(async () => {
    await service?.stop();
    await emulator?.close();
    await db?.drop();
    hook?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => httpRequest(`${service.url}${path}`, { headers });
  const invoke = (name: string, headers: Record<string, string> = {}) => httpRequest(`${service.url}/invoke/${name}`, { method: 'POST', headers });
  const submit = (path: string, bytes: Buffer, headers: Record<string, string>) => postDocument(`${service.url}${path}`, bytes, { 'content-type': 'image/png', ...headers });

  test('should answer 401 without a key everywhere but GET /health and the docs page, /invoke included (issue 12, defect 1)', async () => {
    assert.equal((await get('/health')).status, 200);
    assert.equal((await get('/docs')).status, 200);
    for (const name of ['health', 'openapi', 'docs', 'docsAsset', 'queueStats']) {
      const res = await invoke(name);
      assert.equal(res.status, 401, `POST /invoke/${name} without a key: ${res.text}`);
      assert.equal(res.json.error.code, 'UNAUTHORIZED');
    }
    assert.equal((await get('/openapi.json')).status, 401);
    assert.equal((await invoke('health', { 'x-api-key': 'key-wrong' })).status, 401);
    // Unknown paths too: without a key nothing tells which routes exist.
    assert.equal((await get('/no/such/route')).status, 401);
    assert.equal((await get('/health', { 'x-api-key': 'key-wrong' })).status, 200, 'a wrong key on an open route changes nothing');

    const health = await invoke('health', ALPHA);
    assert.equal(health.status, 200);
    assert.equal(health.json.status, 'ok');
    assert.equal((await invoke('openapi', BETA)).json.openapi, '3.1.0');
  });

  test('should answer a malformed or unknown function name with 404 after the key check, echoing nothing (issue 12, defect 4)', async () => {
    const anonymous = await invoke('%ff');
    assert.equal(anonymous.status, 401, anonymous.text);
    for (const name of ['%ff', '%E0%A4%A', 'no%20such%3Cfn%3E']) {
      const res = await invoke(name, ALPHA);
      assert.equal(res.status, 404, `${name}: ${res.text}`);
      assert.equal(res.json.error.code, 'FUNCTION_NOT_FOUND');
      assert.doesNotMatch(res.json.error.message, /%|ff|such|fn|</);
    }
    const route = await get('/nope/%3Cscript%3E', ALPHA);
    assert.equal(route.status, 404);
    assert.equal(route.json.error.code, 'NOT_FOUND');
    assert.doesNotMatch(route.json.error.message, /nope|script|%3C/);
    const method = await httpRequest(`${service.url}/ocr`, { method: 'DELETE', headers: ALPHA });
    assert.equal(method.status, 405);
    assert.doesNotMatch(method.json.error.message, /DELETE/);
    assert.equal(method.headers.allow, 'POST');
  });

  test("should answer another key's job, result, document and PDF with 404, exactly as for ids that do not exist (issue 12, defect 2)", async () => {
    // Bare keys, as API_KEYS has always taken them: each is a tenant of its own.
    const png = tinyPng('one-private');
    const callbackUrl = encodeURIComponent(`http://127.0.0.1:${hookPort}/hook`);
    const accepted = await submit(`/ocr/async?filename=one-private.png&callbackUrl=${callbackUrl}`, png, { ...ONE, 'idempotency-key': 'order-1' });
    assert.equal(accepted.status, 202, accepted.text);
    const jobId = accepted.json.jobId;
    const job = await waitForJob(service.url, jobId, { headers: ONE });
    assert.equal(job.status, 'succeeded');
    assert.equal(job.result.filename, 'one-private.png');
    const documentId = job.documentId;

    // Each answer is compared with the same request for an id that does not exist.
    const paths = [
      `/ocr/jobs/${jobId}`,
      `/ocr/jobs/${jobId}?format=text`,
      `/ocr/jobs/${jobId}?include=words`,
      `/documents/${documentId}`,
      `/documents/${documentId}?format=markdown`,
      `/documents/${documentId}?function=ocr`,
      `/documents/${documentId}/pdf`,
    ];
    for (const path of paths) {
      const res = await get(path, TWO);
      const unknown = await get(path.replace(jobId, UNKNOWN_JOB).replace(documentId, UNKNOWN_JOB), TWO);
      assert.equal(res.status, 404, `${path}: ${res.text}`);
      assert.match(res.json.error.code, /^(JOB|DOCUMENT)_NOT_FOUND$/);
      assert.deepEqual({ ...res.json.error, requestId: '' }, { ...unknown.json.error, requestId: '' }, path);
    }
    const invoked = await httpRequest(`${service.url}/invoke/getJob?jobId=${jobId}`, { method: 'POST', headers: TWO });
    assert.equal(invoked.status, 404, invoked.text);
    // The same idempotency key is the other key's own: a new job, not the first key's.
    const other = await submit('/ocr/async', tinyPng('two-order'), { ...TWO, 'idempotency-key': 'order-1' });
    assert.equal(other.status, 202, other.text);
    assert.notEqual(other.json.jobId, jobId);
    assert.equal((await waitForJob(service.url, other.json.jobId, { headers: TWO })).status, 'succeeded');

    // The callback went to the first key's URL only, with its job.
    const deadline = Date.now() + 20_000;
    while (!callbacks.some((c) => c.jobId === jobId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const delivered = callbacks.filter((c) => c.jobId === jobId);
    assert.equal(delivered.length, 1);
    assert.equal(JSON.parse(delivered[0]!.body).result.filename, 'one-private.png');
  });

  test("should push a job's changes to its own tenant's WebSocket only (issue 12, defect 2)", async () => {
    const one = await openJobSocket(service.url, '?apiKey=key-one');
    const two = await openJobSocket(service.url, '?apiKey=key-two');
    try {
      emulator.configure({ latencyMs: 600 });
      const accepted = await submit('/ocr/async', tinyPng('one-pushed'), ONE);
      const jobId = accepted.json.jobId;
      two.socket.send(JSON.stringify({ subscribe: [jobId, UNKNOWN_JOB] }));
      one.socket.send(JSON.stringify({ subscribe: [jobId] }));
      const final = await one.next((m) => m.type === 'job' && m.jobId === jobId && m.status === 'succeeded');
      assert.ok(final.documentId);
      // Pushes travel through PostgreSQL to every process: give a stray one time to arrive.
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(two.messages.filter((m) => m.type === 'job'), [], "no push of the other key's job");
      const refused = await two.next((m) => m.type === 'error' && m.jobId === jobId);
      const unknown = await two.next((m) => m.type === 'error' && m.jobId === UNKNOWN_JOB);
      assert.deepEqual({ ...refused, jobId: '' }, { ...unknown, jobId: '' }, 'the same answer as for a job that does not exist');
      assert.equal(refused.code, 'JOB_NOT_FOUND');
      // Connecting with the job id in the URL is no way around it.
      const direct = await openJobSocket(service.url, `?apiKey=key-two&jobId=${jobId}`);
      try {
        assert.equal((await direct.next((m) => m.jobId === jobId)).code, 'JOB_NOT_FOUND');
      } finally {
        direct.close();
      }
      // An admin follows anyone's job.
      const ops = await openJobSocket(service.url, `?apiKey=key-ops&jobId=${jobId}`);
      try {
        assert.equal((await ops.next((m) => m.type === 'job' && m.jobId === jobId)).status, 'succeeded');
      } finally {
        ops.close();
      }
    } finally {
      emulator.configure({ latencyMs: 100 });
      one.close();
      two.close();
    }
  });

  test("should keep a tenant's jobs and idempotency keys across its keys (rotation), and show them to admins only", async () => {
    const png = tinyPng('alpha-private');
    const accepted = await submit('/ocr/async?filename=alpha-private.png', png, { ...ALPHA, 'idempotency-key': 'order-1' });
    assert.equal(accepted.status, 202, accepted.text);
    const jobId = accepted.json.jobId;
    const { documentId } = await waitForJob(service.url, jobId, { headers: ALPHA });
    assert.equal((await get(`/ocr/jobs/${jobId}`, BETA)).status, 404);
    assert.equal((await get(`/documents/${documentId}`, BETA)).status, 404);

    // alpha's second key is alpha: same jobs, same idempotency keys.
    const replay = await submit('/ocr/async', png, { ...ALPHA_NEXT, 'idempotency-key': 'order-1' });
    assert.equal(replay.status, 200, replay.text);
    assert.equal(replay.json.jobId, jobId);
    assert.equal((await get(`/ocr/jobs/${jobId}`, ALPHA_NEXT)).json.result.filename, 'alpha-private.png');
    assert.equal((await get(`/documents/${documentId}/pdf`, ALPHA_NEXT)).status, 200);
    const betaJob = await submit('/ocr/async', tinyPng('beta-order'), { ...BETA, 'idempotency-key': 'order-1' });
    assert.equal(betaJob.status, 202);

    const asAdmin = await get(`/ocr/jobs/${jobId}`, OPS);
    assert.equal(asAdmin.status, 200);
    assert.equal(asAdmin.json.result.filename, 'alpha-private.png');
    assert.equal((await get(`/documents/${documentId}`, OPS)).status, 200);
    assert.equal((await waitForJob(service.url, betaJob.json.jobId, { headers: OPS })).status, 'succeeded');
  });

  test('should show each tenant its own filename and results for one shared document, at one Textract call', async () => {
    const png = tinyPng('shared-contract');
    const calls = emulator.stats().total;
    const first = await submit('/ocr?filename=alpha-contract.png', png, ALPHA);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.json.cached, false);
    const expense = await submit('/expense', png, ALPHA);
    assert.equal(expense.status, 200, expense.text);
    assert.equal(emulator.stats().total - calls, 2);

    // beta sends the same bytes without a filename: alpha's result, none of alpha's names.
    const hit = await submit('/ocr', png, BETA);
    assert.equal(hit.status, 200, hit.text);
    assert.equal(hit.json.documentId, first.json.documentId);
    assert.equal(hit.json.text, first.json.text);
    assert.equal(hit.json.filename, null);
    assert.equal(hit.json.cached, false, 'new to beta: nothing says another tenant sent it');
    assert.equal(emulator.stats().total - calls, 2, 'no Textract call for beta');
    assert.equal((await submit('/ocr', png, BETA)).json.cached, true, "beta's second time is its own cache hit");

    const betaView = await get(`/documents/${first.json.documentId}`, BETA);
    assert.equal(betaView.status, 200);
    assert.equal(betaView.json.filename, null);
    assert.equal(betaView.json.text, first.json.text);
    assert.equal(betaView.json.expenses, undefined, "beta's newest result is its OCR, not alpha's expense");
    assert.equal((await get(`/documents/${first.json.documentId}?function=expense`, BETA)).status, 404, "alpha's expense result is alpha's");
    assert.equal((await get(`/documents/${first.json.documentId}`, ALPHA)).json.filename, 'alpha-contract.png');

    // A queued job of beta's with a filename of its own: beta's name on its result, alpha's stays alpha's.
    const queued = await submit('/ocr/async?filename=beta-copy.png', png, BETA);
    const job = await waitForJob(service.url, queued.json.jobId, { headers: BETA });
    assert.equal(job.result.filename, 'beta-copy.png');
    assert.equal(emulator.stats().total - calls, 2);
    assert.equal((await get(`/documents/${first.json.documentId}?function=ocr`, BETA)).json.filename, 'beta-copy.png');
    assert.equal((await get(`/documents/${first.json.documentId}?function=ocr`, ALPHA)).json.filename, 'alpha-contract.png');
  });
});
