import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { alphabetFromDictionary, decodeCtc, latinMask } from '../../../../runtime/engines/paddle/ctc.ts';
import { boxesFromProbabilities } from '../../../../runtime/engines/paddle/detect.ts';
import { MODEL_FILES } from '../../../../runtime/engines/paddle/models.ts';

describe('CTC decoding', () => {
  const alphabet = alphabetFromDictionary(fs.readFileSync(MODEL_FILES.dictionary, 'utf8'));

  /** One-hot rows for a sequence of characters ('' = blank), with the given probability. */
  function steps(chars: string[], p = 0.9, runnerUp?: string[]): Float32Array {
    const probs = new Float32Array(chars.length * alphabet.length);
    chars.forEach((c, t) => {
      probs[t * alphabet.length + alphabet.indexOf(c)] = p;
      if (runnerUp?.[t]) probs[t * alphabet.length + alphabet.indexOf(runnerUp[t])] = p / 2;
    });
    return probs;
  }

  it('should have the model output size: blank, the dictionary, a space', () => {
    assert.equal(alphabet.length, 6625);
    assert.deepEqual([alphabet[0], alphabet.at(-1)], ['', ' ']);
  });

  it('should collapse repeats, keep letters a blank separates, and trim spaces', () => {
    const decoded = decodeCtc(steps([' ', 'H', 'H', 'i', '', 'i', ' ', '', '2', ' ']), 0, 10, alphabet);
    assert.equal(decoded.text, 'Hii 2');
    assert.deepEqual(decoded.chars.map((c) => c.step), [1, 3, 5, 6, 8]);
    assert.ok(Math.abs(decoded.confidence - 0.9) < 1e-6);
  });

  it('should read the most likely Latin character where the model prefers a CJK look-alike', () => {
    const mask = latinMask(alphabet);
    const probs = steps(['a', '，', 'b'], 0.9, ['', ',', '']);
    assert.equal(decodeCtc(probs, 0, 3, alphabet).text, 'a，b');
    assert.equal(decodeCtc(probs, 0, 3, alphabet, mask).text, 'a,b');
  });
});

describe('boxesFromProbabilities', () => {
  it('should box each region above the threshold, grown back by the unclip distance, and drop faint ones', () => {
    const width = 40;
    const height = 20;
    const prob = new Float32Array(width * height);
    const fill = (x0: number, y0: number, x1: number, y1: number, p: number) => {
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) prob[y * width + x] = p;
    };
    fill(5, 5, 25, 9, 0.9); // a line 20 × 4
    fill(28, 12, 38, 16, 0.4); // above the threshold, but its mean is below boxThreshold
    const boxes = boxesFromProbabilities(prob, width, height, { threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5 });
    assert.equal(boxes.length, 1);
    const grow = (20 * 4 * 1.5) / (2 * 24);
    assert.deepEqual(
      [boxes[0].x, boxes[0].y, boxes[0].width, boxes[0].height].map((v) => +v.toFixed(3)),
      [5 - grow, 5 - grow, 20 + 2 * grow, 4 + 2 * grow].map((v) => +v.toFixed(3)),
    );
  });
});
