// What the emulator suites share: the real SDK pointed at an emulator, and ways to read and
// compare Textract responses the way a user of the SDK would.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TextractClient, type Block } from '@aws-sdk/client-textract';
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from '../../scripts/emulator/server.ts';

export function clientFor(emulator: EmulatorHandle, maxAttempts = 1): TextractClient {
  return new TextractClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts,
  });
}

/** Starts an emulator and a client for one test, and always closes both. */
export async function withEmulator(options: EmulatorOptions, body: (emulator: EmulatorHandle, client: TextractClient) => Promise<void>): Promise<void> {
  const emulator = await startEmulator(options);
  const client = clientFor(emulator);
  try {
    await body(emulator, client);
  } finally {
    client.destroy();
    await emulator.close();
  }
}

export type SdkError = Error & { $metadata?: { httpStatusCode?: number; attempts?: number } };

export async function errorOf(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (err) {
    return err as SdkError;
  }
  assert.fail('expected the call to fail');
}

export async function outcomes(calls: Promise<unknown>[]): Promise<string[]> {
  const settled = await Promise.allSettled(calls);
  return settled.map((s) => (s.status === 'fulfilled' ? 'ok' : (s.reason as Error).name));
}

export function byId(blocks: readonly Block[]): Map<string, Block> {
  return new Map(blocks.map((b) => [b.Id!, b]));
}

export function childIds(block: Block, type = 'CHILD'): string[] {
  return (block.Relationships ?? []).filter((r) => r.Type === type).flatMap((r) => r.Ids ?? []);
}

/** The raw JSON body of a call, for byte-for-byte comparisons the SDK's parsing would hide. */
export async function rawCall(emulator: EmulatorHandle, operation: string, body: unknown): Promise<string> {
  const res = await fetch(emulator.url, {
    method: 'POST',
    headers: { authorization: 'test', 'x-amz-target': `Textract.${operation}`, 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return res.text();
}

/** The real Textract responses the project keeps (test/fixtures/textract, copied unchanged with their licence). */
function fixturesDir(): string {
  return fileURLToPath(new URL('../fixtures/textract/', import.meta.url));
}

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(fixturesDir(), name), 'utf8')) as Record<string, unknown>;
}

/**
 * Every key path in a JSON value, with array positions folded ("A[].B"): two responses have the
 * same shape when they have the same paths. Transport metadata is left out.
 */
export function keyPaths(value: unknown, prefix = ''): Set<string> {
  const paths = new Set<string>();
  const walk = (v: unknown, at: string): void => {
    if (Array.isArray(v)) {
      for (const item of v) walk(item, `${at}[]`);
    } else if (v !== null && typeof v === 'object') {
      for (const [key, child] of Object.entries(v)) {
        if (key === '$metadata' || key === 'ResponseMetadata') continue;
        const path = at ? `${at}.${key}` : key;
        paths.add(path);
        walk(child, path);
      }
    }
  };
  walk(value, prefix);
  return paths;
}

/** The key sets each BlockType comes with, e.g. LAYOUT_FIGURE → {"BlockType,Confidence,Geometry,Id"}. */
export function blockKeySets(blocks: readonly object[], ignore: readonly string[] = []): Map<string, Set<string>> {
  const sets = new Map<string, Set<string>>();
  for (const block of blocks) {
    const type = (block as { BlockType: string }).BlockType;
    const keys = Object.keys(block).filter((k) => !ignore.includes(k)).sort().join(',');
    sets.set(type, (sets.get(type) ?? new Set()).add(keys));
  }
  return sets;
}

/** Asserts each block type the emulator returns carries the keys the real response's blocks of that type carry. */
export function assertBlocksShapedLike(actual: readonly object[], real: readonly object[], types: readonly string[], ignore: readonly string[] = []): void {
  const mine = blockKeySets(actual, ignore);
  const theirs = blockKeySets(real, ignore);
  for (const type of types) {
    assert.ok(mine.has(type), `the emulator returned no ${type} block`);
    for (const keys of mine.get(type)!) assert.ok(theirs.get(type)?.has(keys), `${type} with keys ${keys}; the real response has ${[...(theirs.get(type) ?? [])].join(' | ')}`);
  }
}
