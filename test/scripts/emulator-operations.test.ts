// Quota, latency, faults, markers, stats and the response cache, for every operation the
// emulator speaks, AnalyzeExpense and AnalyzeID included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AnalyzeDocumentCommand, AnalyzeExpenseCommand, AnalyzeIDCommand, DetectDocumentTextCommand, type TextractClient,
} from '@aws-sdk/client-textract';
import { makePng } from '../../scripts/emulator/fixtures.ts';
import { clientFor, errorOf, outcomes, withEmulator } from './emulator-sdk.ts';

type Operation = 'DetectDocumentText' | 'AnalyzeDocument' | 'AnalyzeExpense' | 'AnalyzeID';

function call(client: TextractClient, operation: Operation, bytes: Uint8Array): Promise<unknown> {
  switch (operation) {
    case 'DetectDocumentText':
      return client.send(new DetectDocumentTextCommand({ Document: { Bytes: bytes } }));
    case 'AnalyzeDocument':
      return client.send(new AnalyzeDocumentCommand({ Document: { Bytes: bytes }, FeatureTypes: ['LAYOUT'] }));
    case 'AnalyzeExpense':
      return client.send(new AnalyzeExpenseCommand({ Document: { Bytes: bytes } }));
    case 'AnalyzeID':
      return client.send(new AnalyzeIDCommand({ DocumentPages: [{ Bytes: bytes }] }));
  }
}

test('should throttle each operation on its own bucket, the new ones falling back to --tps', async () => {
  await withEmulator({ tps: 3, expenseTps: 1 }, async (emulator, client) => {
    const png = makePng({ seed: 100 });
    const burst = async (operation: Operation, n: number): Promise<number> =>
      (await outcomes(Array.from({ length: n }, () => call(client, operation, png)))).filter((r) => r === 'ok').length;
    const expenseOk = await burst('AnalyzeExpense', 6);
    // A bucket of one lets one call through; a slow machine may see one refill during the burst.
    assert.ok(expenseOk >= 1 && expenseOk <= 2, `AnalyzeExpense at 1 TPS let ${expenseOk} through`);
    const idOk = await burst('AnalyzeID', 10);
    assert.ok(idOk >= 3 && idOk <= 5, `AnalyzeID at the --tps of 3 let ${idOk} through`);
    // AnalyzeDocument's bucket is untouched by the other operations' bursts.
    await call(client, 'AnalyzeDocument', png);

    const stats = emulator.stats();
    assert.equal(stats.apis.AnalyzeExpense.ok, expenseOk);
    assert.equal(stats.apis.AnalyzeExpense.throttled, 6 - expenseOk);
    assert.equal(stats.apis.AnalyzeID.throttled, 10 - idOk);
    assert.equal(stats.apis.AnalyzeDocument.ok, 1);
    assert.equal(stats.apis.DetectDocumentText.calls, 0);
    assert.equal(stats.throttled, 16 - expenseOk - idOk);
    const refused = await errorOf(call(client, 'AnalyzeExpense', png));
    assert.equal(refused.name, 'ProvisionedThroughputExceededException');

    emulator.configure({ idTps: 0 });
    assert.deepEqual(await outcomes(Array.from({ length: 8 }, () => call(client, 'AnalyzeID', png))), Array(8).fill('ok'), 'idTps 0 is unlimited');
  });
});

test('should inject random faults into the new operations and let the SDK retry through them', async () => {
  await withEmulator({ failRate: 1 }, async (emulator, client) => {
    for (const operation of ['AnalyzeExpense', 'AnalyzeID'] as const) {
      const err = await errorOf(call(client, operation, makePng({ seed: 101 })));
      assert.ok(['InternalServerError', 'ThrottlingException'].includes(err.name), `${operation}: ${err.name}`);
    }
    const stats = emulator.stats().apis;
    for (const operation of ['AnalyzeExpense', 'AnalyzeID'] as const) {
      assert.equal(Object.values(stats[operation].injectedFaults).reduce((a, b) => a + b, 0), 1, operation);
    }
  });
  await withEmulator({ failRate: 0.5, seed: 1 }, async (emulator) => {
    const retrying = clientFor(emulator, 5);
    try {
      for (let i = 0; i < 3; i++) await call(retrying, 'AnalyzeExpense', makePng({ seed: 102 + i }));
    } finally {
      retrying.destroy();
    }
    const stats = emulator.stats().apis.AnalyzeExpense;
    assert.equal(stats.ok, 3);
    assert.ok(Object.values(stats.injectedFaults).reduce((a, b) => a + b, 0) >= 1, 'some attempts were faulted and retried');
  });
});

test('should force faults from markers in any page of the new operations', async () => {
  await withEmulator({}, async (emulator, client) => {
    const internal = makePng({ seed: 105, text: { Comment: 'DTAT-EMULATOR:INTERNAL_ERROR' } });
    const throttle = makePng({ seed: 106, text: { Comment: 'DTAT-EMULATOR:THROTTLE' } });
    const front = makePng({ seed: 107 });
    assert.equal((await errorOf(call(client, 'AnalyzeExpense', internal))).name, 'InternalServerError');
    assert.equal((await errorOf(call(client, 'AnalyzeExpense', throttle))).name, 'ThrottlingException');
    const backFault = await errorOf(client.send(new AnalyzeIDCommand({ DocumentPages: [{ Bytes: front }, { Bytes: internal }] })));
    assert.equal(backFault.name, 'InternalServerError');
    assert.equal(backFault.$metadata?.httpStatusCode, 500);
    const stats = emulator.stats().apis;
    assert.deepEqual(stats.AnalyzeExpense.injectedFaults, { InternalServerError: 1, ThrottlingException: 1 });
    assert.deepEqual(stats.AnalyzeID.injectedFaults, { InternalServerError: 1 });
  });
});

test('should hold every operation for the configured latency', async () => {
  await withEmulator({ latencyMs: 250 }, async (_emulator, client) => {
    for (const operation of ['AnalyzeDocument', 'AnalyzeExpense', 'AnalyzeID'] as const) {
      const started = performance.now();
      await call(client, operation, makePng({ seed: 108 }));
      assert.ok(performance.now() - started >= 245, `${operation} waited the latency`);
    }
  });
});

test('should serve repeated expense and identity calls from the response cache', async () => {
  await withEmulator({}, async (emulator, client) => {
    const front = makePng({ seed: 109 });
    const back = makePng({ seed: 110 });
    const id = (pages: Uint8Array[]) => client.send(new AnalyzeIDCommand({ DocumentPages: pages.map((Bytes) => ({ Bytes })) }));
    await call(client, 'AnalyzeExpense', front);
    await call(client, 'AnalyzeExpense', front);
    await id([front, back]);
    await id([front, back]);
    await id([back, front]);
    assert.deepEqual(emulator.stats().cache, { hits: 2, misses: 3 }, 'the page order is part of the key');
    assert.equal(emulator.stats().apis.AnalyzeID.ok, 3);
  });
});
