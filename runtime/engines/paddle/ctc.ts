// Greedy CTC decoding of PaddleOCR's recognition output: at every time step the most likely
// character, repeats collapsed, blanks (index 0) dropped.

export interface DecodedChar {
  char: string;
  /** Time step at which it was read (each step covers the same width of the input image). */
  step: number;
  probability: number;
}

export interface Decoded {
  text: string;
  /** Mean probability of the characters read, 0..1. */
  confidence: number;
  chars: DecodedChar[];
}

/**
 * The recogniser's alphabet: index 0 is the CTC blank, then the dictionary file's characters,
 * then a space (PaddleOCR's `use_space_char`).
 */
export function alphabetFromDictionary(dictionary: string): string[] {
  const keys = dictionary.split('\n').map((line) => line.replace(/\r$/, ''));
  if (keys.at(-1) === '') keys.pop();
  return ['', ...keys, ' '];
}

/**
 * Which characters may be read. The model reads Chinese and Latin script; on Latin documents it
 * sometimes picks a look-alike CJK or full-width character (`，` for `,`), so those can be
 * excluded, leaving the next most likely character at that step.
 */
export function latinMask(alphabet: string[]): Uint8Array {
  const mask = new Uint8Array(alphabet.length);
  alphabet.forEach((char, i) => {
    if (i === 0) mask[i] = 1;
    else mask[i] = [...char].every((c) => (c.codePointAt(0) ?? 0) < 0x250 || /[\u2010-\u2027\u2030-\u205e\u20a0-\u20bf\u2100-\u215f\u2190-\u21ff\u2200-\u22ff\u25a0-\u25ff\u2610-\u2612\u2713-\u2717]/u.test(c))
      ? 1
      : 0;
  });
  return mask;
}

/** Decodes one sequence: `probs` holds `steps` rows of `alphabet.length` probabilities. */
export function decodeCtc(probs: Float32Array, offset: number, steps: number, alphabet: string[], mask?: Uint8Array): Decoded {
  const classes = alphabet.length;
  const chars: DecodedChar[] = [];
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    const row = offset + t * classes;
    let best = 0;
    let bestP = -1;
    for (let c = 0; c < classes; c++) {
      const p = probs[row + c];
      if (p > bestP && (!mask || mask[c])) {
        bestP = p;
        best = c;
      }
    }
    if (best !== 0 && best !== previous) chars.push({ char: alphabet[best], step: t, probability: bestP });
    previous = best;
  }
  // Spaces at the ends carry no information and would make empty words.
  while (chars.length > 0 && chars[0].char === ' ') chars.shift();
  while (chars.length > 0 && chars.at(-1)!.char === ' ') chars.pop();
  const text = chars.map((c) => c.char).join('');
  const confidence = chars.length === 0 ? 0 : chars.reduce((sum, c) => sum + c.probability, 0) / chars.length;
  return { text, confidence, chars };
}
