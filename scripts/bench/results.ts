// bench/results/<stamp>.json (every measurement, git-ignored) and <stamp>.md (the table the README
// quotes), plus the facts of the machine and commit in the header.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../runtime/config.ts';
import type { TableMeta } from './table.ts';

export const RESULTS_DIR = path.join(PROJECT_ROOT, 'bench', 'results');

/** 2025-01-31T09:05:07.123Z → 20250131T090507Z: sortable, and safe in file and database names. */
export function fileStamp(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

function run(command: string, args: string[]): string | null {
  try {
    return execFileSync(command, args, { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}

export function collectMeta(date: Date, quick: boolean): TableMeta {
  return {
    date: date.toISOString(),
    commit: run('git', ['rev-parse', '--short', 'HEAD']) ?? 'unknown',
    cores: Number(run('nproc', [])) || os.availableParallelism(),
    node: process.version,
    quick,
  };
}

export async function writeResults(stamp: string, json: unknown, markdown: string): Promise<{ json: string; markdown: string }> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const files = { json: path.join(RESULTS_DIR, `${stamp}.json`), markdown: path.join(RESULTS_DIR, `${stamp}.md`) };
  await writeFile(files.json, `${JSON.stringify(json, null, 2)}\n`);
  await writeFile(files.markdown, markdown);
  return files;
}
