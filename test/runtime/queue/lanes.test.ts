import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { routes } from '../../../functions.config.ts';
import expense from '../../../functions/expense.ts';
import health from '../../../functions/health.ts';
import ocr from '../../../functions/ocr.ts';
import { loadConfig, operationTps } from '../../../runtime/config.ts';
import type { InvocationEvent } from '../../../runtime/define.ts';
import { HttpError } from '../../../runtime/errors.ts';
import { laneOf, laneQueue, lanesOf } from '../../../runtime/queue/lanes.ts';

const event = (body: Record<string, unknown>): InvocationEvent => ({ body: body as never, params: {}, query: {}, headers: {} });

describe('job lanes and per-operation quotas', () => {
  test("should give every Textract operation of the route table a queue of its own", () => {
    const lanes = lanesOf(routes.map((r) => r.function));
    assert.deepEqual(
      lanes.map((l) => [l.queue, l.operation]),
      [
        ['invoke', null],
        ['invoke-analyze-document', 'AnalyzeDocument'],
        ['invoke-analyze-expense', 'AnalyzeExpense'],
        ['invoke-analyze-id', 'AnalyzeID'],
        ['invoke-detect-document-text', 'DetectDocumentText'],
      ],
    );
  });

  test("should put a job in the queue of its first call's operation", () => {
    assert.equal(laneOf(ocr, event({}), true), laneQueue('DetectDocumentText'));
    assert.equal(laneOf(ocr, event({ features: ['TABLES'] }), true), laneQueue('AnalyzeDocument'));
    // The question is asked on page 3 only, so the first page's call is plain text detection.
    assert.equal(laneOf(ocr, event({ queries: [{ text: 'Total?', pages: ['3'] }] }), true), laneQueue('DetectDocumentText'));
    assert.equal(laneOf(ocr, event({ pages: '3-4', queries: [{ text: 'Total?', pages: ['3'] }] }), true), laneQueue('AnalyzeDocument'));
    assert.equal(laneOf(expense, event({}), true), laneQueue('AnalyzeExpense'));
    assert.equal(laneOf(health, event({}), true), 'invoke');
    assert.equal(laneOf(expense, event({}), false), 'invoke', 'a local engine calls nothing metered');
    assert.throws(() => laneOf(ocr, event({ features: ['QUERIES'] }), true), (err: HttpError) => err.status === 400);
  });

  test('should read TEXTRACT_TPS_<OPERATION> in any spelling, each defaulting to TEXTRACT_TPS', () => {
    const config = loadConfig({ TEXTRACT_TPS: '10', TEXTRACT_TPS_ANALYZE_EXPENSE: '2', TEXTRACT_TPS_ANALYZEID: '1', TEXTRACT_TPS_DETECT_DOCUMENT_TEXT: '25' });
    assert.equal(operationTps(config, 'AnalyzeExpense'), 2);
    assert.equal(operationTps(config, 'AnalyzeID'), 1);
    assert.equal(operationTps(config, 'DetectDocumentText'), 25);
    assert.equal(operationTps(config, 'AnalyzeDocument'), 10);
    assert.throws(() => loadConfig({ TEXTRACT_TPS_ANALYZE_EXPENSE: 'lots' }), /TEXTRACT_TPS_ANALYZE_EXPENSE/);
  });
});
