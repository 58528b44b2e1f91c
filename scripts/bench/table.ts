// The benchmark's rows and their markdown table: what the README quotes. A row states its measure,
// the bound it is held against and the ratio; a miss is written as "below target", never an error.
import { ratioTo } from './rates.ts';

/** The ratio a row must reach (at least) or stay under (at most), e.g. 0.9 of a Little's-law bound. */
export interface Target {
  ratio: number;
  direction: 'at least' | 'at most';
}

/** A condition beside the ratio, such as "0 throttles after the first second". */
export interface Check {
  label: string;
  ok: boolean;
}

export interface BenchRow {
  scenario: string;
  setup: string;
  value: number | null;
  /** docs/min, pages/min, docs/s, MB, ms. */
  unit: string;
  bound: number | null;
  /** Where the bound comes from, for the notes column. */
  boundNote?: string;
  target?: Target;
  checks?: Check[];
  p50Ms: number | null;
  p95Ms: number | null;
  failures: number;
  notes: string[];
  /** The scenario could not measure this row (start failure, crash, timeout). */
  error?: string;
}

export interface TableMeta {
  date: string;
  commit: string;
  cores: number;
  node: string;
  quick: boolean;
}

export function rowRatio(row: BenchRow): number | null {
  return ratioTo(row.value, row.bound);
}

function targetMet(ratio: number, target: Target): boolean {
  return target.direction === 'at least' ? ratio >= target.ratio : ratio <= target.ratio;
}

/** "ok", "below target (...)", "error: ..." or "-" when the row has nothing to meet. */
export function verdict(row: BenchRow): string {
  if (row.error) return `error: ${row.error}`;
  const misses: string[] = [];
  if (row.target) {
    const ratio = rowRatio(row);
    if (ratio === null) misses.push('no measurement');
    else if (!targetMet(ratio, row.target)) misses.push(`ratio ${formatPercent(ratio)}, target ${row.target.direction} ${formatPercent(row.target.ratio)}`);
  }
  for (const check of row.checks ?? []) if (!check.ok) misses.push(check.label);
  if (row.failures > 0) misses.push(`${row.failures} failed`);
  if (misses.length > 0) return `below target (${misses.join('; ')})`;
  if (row.target || row.checks?.length) {
    const target = row.target ? `${row.target.direction} ${formatPercent(row.target.ratio)}` : '';
    return target ? `ok (${target})` : 'ok';
  }
  return '-';
}

/** 1234.5 → "1,235"; 24.49 → "24.5"; 0.4 → "0.40": three significant figures at most below 100. */
export function formatNumber(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '-';
  const abs = Math.abs(n);
  if (abs >= 100) return Math.round(n).toLocaleString('en-US');
  if (abs >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export function formatPercent(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return '-';
  return `${Math.round(ratio * 100)} %`;
}

function cell(text: string): string {
  // A pipe would end the cell early; a newline would end the row.
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

const COLUMNS = ['scenario', 'setup', 'result', 'bound', 'ratio', 'p50 ms', 'p95 ms', 'failures', 'verdict', 'notes'];

export function rowCells(row: BenchRow): string[] {
  const withUnit = (n: number | null) => (n === null ? '-' : `${formatNumber(n)} ${row.unit}`);
  const notes = [...(row.boundNote ? [`bound: ${row.boundNote}`] : []), ...row.notes];
  return [
    row.scenario,
    row.setup,
    row.error && row.value === null ? '-' : withUnit(row.value),
    withUnit(row.bound),
    formatPercent(rowRatio(row)),
    formatNumber(row.p50Ms),
    formatNumber(row.p95Ms),
    String(row.failures),
    verdict(row),
    notes.join('; ') || '-',
  ];
}

export function formatTable(meta: TableMeta, rows: readonly BenchRow[], footnotes: readonly string[] = []): string {
  const lines = [
    `## DTAT-OCR benchmark (${meta.quick ? 'quick' : 'full'} run)`,
    '',
    `- date: ${meta.date}`,
    `- git commit: ${meta.commit}`,
    `- cores: ${meta.cores} (nproc)`,
    `- node: ${meta.node}`,
    `- run: ${meta.quick ? 'quick (`npm run bench -- --quick`): short versions of every scenario' : 'full (`npm run bench`)'}`,
    '',
    `| ${COLUMNS.join(' | ')} |`,
    `|${COLUMNS.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${rowCells(row).map(cell).join(' | ')} |`),
  ];
  if (footnotes.length > 0) lines.push('', ...footnotes.map((f) => `- ${f}`));
  return `${lines.join('\n')}\n`;
}
