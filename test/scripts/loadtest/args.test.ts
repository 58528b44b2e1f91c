import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArgError, USAGE, parseArgs, parseDuration, parseRate } from '../../../scripts/loadtest/args.ts';

const url = ['--url', 'http://127.0.0.1:8080'];
const fails = (argv: string[], message: RegExp) => assert.throws(() => parseArgs(argv, {}), (err: unknown) => err instanceof ArgError && message.test(err.message));

describe('parseArgs', () => {
  it('should apply the defaults', () => {
    const { load, json, chart, maxP95Ms } = parseArgs(url, {});
    assert.equal(load.mode, 'sync');
    assert.equal(load.concurrency, 4);
    assert.equal(load.docs, undefined);
    assert.equal(load.timeoutMs, 120_000);
    assert.equal(load.pollMs, 250);
    assert.deepEqual(load.documents, { type: 'png', kb: 100, pages: undefined, repeat: false });
    assert.deepEqual([json, chart, maxP95Ms], [undefined, undefined, undefined]);
  });

  it('should read every flag, in both spellings', () => {
    const { load, json, chart, maxP95Ms } = parseArgs(
      [...url, '--mode=async-poll', '--concurrency', '16', '--docs', '500', '--duration', '2m', '--rate', '300/m', '--arrivals', 'fixed',
        '--api-key', 'k', '--timeout-ms', '5000', '--features', 'tables,FORMS', '--poll-ms', '100', '--doc-type', 'pdf-multi',
        '--pages', '5', '--doc-kb', '250', '--repeat', '--json', 'o.json', '--chart', 'o.svg', '--max-p95-ms', '900'],
      {},
    );
    assert.equal(load.mode, 'async-poll');
    assert.deepEqual([load.concurrency, load.docs, load.durationMs, load.timeoutMs, load.pollMs], [16, 500, 120_000, 5000, 100]);
    assert.deepEqual(load.rate, { perSecond: 5, arrivals: 'fixed' });
    assert.deepEqual(load.features, ['TABLES', 'FORMS']);
    assert.deepEqual(load.documents, { type: 'pdf-multi', kb: 250, pages: 5, repeat: true });
    assert.equal(load.apiKey, 'k');
    assert.deepEqual([json, chart, maxP95Ms], ['o.json', 'o.svg', 900]);
  });

  it('should take --threads as the concurrency of boomi mode, and the key from the environment', () => {
    const { load } = parseArgs([...url, '--mode', 'boomi', '--threads', '8', '--boomi-async'], { LOADTEST_API_KEY: 'env-key' });
    assert.deepEqual([load.concurrency, load.boomiAsync, load.apiKey], [8, true, 'env-key']);
  });

  it('should name the flag in every error', () => {
    fails([], /--url is required/);
    fails(['--url', 'ftp://x'], /--url must be http/);
    fails(['--url', 'http://u:p@h'], /--url must not carry credentials/);
    fails([...url, '--mode', 'fast'], /--mode must be one of sync, async-poll, async-ws, boomi/);
    fails([...url, '--concurrency', '0'], /--concurrency must be from 1/);
    fails([...url, '--concurrency', 'many'], /--concurrency must be a whole number/);
    fails([...url, '--docs'], /--docs needs a value/);
    fails([...url, '--docs', '1000001'], /--docs 1000001 is above the 1,000,000 safety bound/);
    fails([...url, '--duration', '25h'], /--duration 25h is above the 24h safety bound/);
    fails([...url, '--duration', 'soon'], /--duration must look like/);
    fails([...url, '--rate', 'fast'], /--rate must look like/);
    fails([...url, '--arrivals', 'fixed'], /--arrivals needs --rate/);
    fails([...url, '--features', 'TABLES,OCR'], /--features: unknown feature "OCR"/);
    fails([...url, '--threads', '4'], /--threads applies only to --mode boomi/);
    fails([...url, '--poll-ms', '100'], /--poll-ms applies only to --mode async-poll/);
    fails([...url, '--mode', 'async-poll', '--poll-ms', '5'], /--poll-ms must be from 10/);
    fails([...url, '--pages', '3'], /--pages applies only to --doc-type pdf-multi/);
    fails([...url, '--docs-dir', '/tmp', '--doc-kb', '5'], /--doc-kb describes generated documents/);
    fails([...url, '--doc-kb', '20000'], /--doc-kb must be from 1 to 10,240/);
    fails([...url, '--bogus'], /unknown flag --bogus/);
    fails([...url, 'extra'], /unexpected argument "extra"/);
    fails([...url, '--docs', '5', '--docs', '6'], /--docs is given more than once/);
    fails([...url, '--repeat=yes'], /--repeat takes no value/);
  });

  it('should ask for help without needing --url', () => {
    assert.equal(parseArgs(['--help'], {}).help, true);
    assert.equal(parseArgs(['-h'], {}).help, true);
    assert.match(USAGE, /^Usage: npm run loadtest -- --url/);
  });
});

describe('parseDuration and parseRate', () => {
  it('should read units', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('90'), 90_000);
    assert.equal(parseDuration('1.5m'), 90_000);
    assert.equal(parseDuration('24h'), 86_400_000);
    assert.equal(parseRate('5'), 5);
    assert.equal(parseRate('5/s'), 5);
    assert.equal(parseRate('120/min'), 2);
  });
});
