import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { listFromLines } from '../../../runtime/formats/list-items.ts';

describe('listFromLines', () => {
  test('should split a bulleted list at its bullets and join wrapped lines to their item', () => {
    assert.deepEqual(listFromLines('• Fire and smoke\n• Water damage from\nburst pipes\n- Theft'), {
      kind: 'list',
      ordered: false,
      items: ['Fire and smoke', 'Water damage from burst pipes', 'Theft'],
    });
  });

  test('should keep the numbering of a numbered list', () => {
    assert.deepEqual(listFromLines('3. Sign the form\n4) Send it back\nby mail'), {
      kind: 'list',
      ordered: true,
      start: 3,
      items: ['Sign the form', 'Send it back by mail'],
    });
  });

  test('should make each line an item when the list has no markers', () => {
    assert.deepEqual(listFromLines('Apples\nPears\n\n'), { kind: 'list', ordered: false, items: ['Apples', 'Pears'] });
  });

  test('should not take a word followed by a full stop for a marker', () => {
    assert.deepEqual(listFromLines('- Dr. Smith\nA. Jones'), { kind: 'list', ordered: false, items: ['Dr. Smith A. Jones'] });
  });
});
