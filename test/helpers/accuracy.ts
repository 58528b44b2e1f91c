const words = (text: string) => text.split(/\s+/).filter(Boolean);

/** Matched words / expected words, matching by longest common subsequence (exact tokens). */
export function wordAccuracy(expected: string, actual: string): number {
  const a = words(expected);
  const b = words(actual);
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const current = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      current[j] = a[i - 1] === b[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    }
    previous = current;
  }
  return previous[b.length]! / a.length;
}
