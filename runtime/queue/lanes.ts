import type { AnyFunction, InvocationEvent } from '../define.ts';
import { isDocumentFunction } from '../document-functions/define.ts';
import { ownOptions } from '../document-functions/options.ts';
import { parsePageRanges } from '../document-functions/page-ranges.ts';
import { INVOKE_QUEUE } from './boss.ts';

// A lane is a pg-boss queue of invocations and, for Textract work, the operation whose quota its
// jobs' first call spends. Every process consumes every lane of the route table.

export interface Lane {
  queue: string;
  /** The Textract operation paced before each fetch; null for work that calls no metered API. */
  operation: string | null;
}

/** "AnalyzeExpense" → "invoke-analyze-expense". */
export function laneQueue(operation: string | null): string {
  if (!operation) return INVOKE_QUEUE;
  return `${INVOKE_QUEUE}-${operation.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`;
}

/** The lanes of a route table: the unmetered one, and one per Textract operation any function uses. */
export function lanesOf(functions: Iterable<AnyFunction>): Lane[] {
  const operations = new Set<string>();
  for (const fn of functions) {
    if (isDocumentFunction(fn)) for (const op of fn.document.textract?.operations ?? []) operations.add(op);
  }
  return [{ queue: INVOKE_QUEUE, operation: null }, ...[...operations].sort().map((op) => ({ queue: laneQueue(op), operation: op }))];
}

/**
 * The lane of one invocation: the queue of the operation its first Textract call uses. Runs the
 * function's own option checks (prepare), so a refused combination is answered before the 202.
 */
export function laneOf(fn: AnyFunction, event: InvocationEvent, onTextract: boolean): string {
  if (!isDocumentFunction(fn) || !fn.document.textract) return INVOKE_QUEUE;
  const body = (event.body ?? {}) as Record<string, unknown> & { pages?: string };
  const options = fn.document.prepare(ownOptions(body));
  if (!onTextract) return INVOKE_QUEUE;
  const first = parsePageRanges(body.pages)?.[0]?.[0] ?? 1;
  return laneQueue(fn.document.textract.operation(options, [first]));
}
