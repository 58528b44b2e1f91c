import type { AnyFunction } from '../define.ts';
import type { Pool } from '../db/pool.ts';
import * as q from '../db/queries.ts';
import { storedResultJson, type StoredResultRow } from '../document-functions/stored.ts';

// The Job shape of API.md, from a `jobs` row. A succeeded document job's result is the stored
// result, spliced in as JSON text.

/** What reading a job's result needs: the database, and the functions that render stored results. */
export interface JobReader {
  db: Pool;
  functions: ReadonlyMap<string, AnyFunction>;
}

export interface JobRow {
  id: string;
  function: string;
  status: string;
  attempts: number;
  document_id: string | null;
  error: { code: string; message: string } | null;
  output: unknown;
  pages_done: number | null;
  page_count: number | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  result_id: string | null;
  worker_id?: string | null;
  /** The owner (API key name); null when made without keys. */
  tenant?: string | null;
}

export interface JobLinks {
  statusUrl: string;
  eventsUrl: string;
}

export function jobFields(row: JobRow, links?: JobLinks): Record<string, unknown> {
  const job: Record<string, unknown> = {
    jobId: row.id,
    function: row.function,
    status: row.status,
    attempts: row.attempts,
    createdAt: row.created_at.toISOString(),
  };
  if (row.started_at) job.startedAt = row.started_at.toISOString();
  if (row.finished_at) job.finishedAt = row.finished_at.toISOString();
  if (row.document_id) job.documentId = row.document_id;
  // Which process runs it, for operators following a job through the logs.
  if (row.status === 'running' && row.worker_id) job.worker = row.worker_id;
  if (row.page_count !== null) {
    job.pagesDone = row.pages_done ?? 0;
    job.pageCount = row.page_count;
  }
  // A retry in progress still shows the last error, so a poller can tell why it is taking long.
  if (row.error) job.error = row.error;
  if (links) Object.assign(job, links);
  return job;
}

export async function jobJson(reader: JobReader, row: JobRow, links?: JobLinks): Promise<string> {
  const head = JSON.stringify(jobFields(row, links));
  if (row.status !== 'succeeded') return head;
  if (row.result_id) {
    const result = await jobResult(reader, row);
    if (result) return `${head.slice(0, -1)},"result":${result.json}}`;
  }
  if (row.output !== null && row.output !== undefined) return `${head.slice(0, -1)},"result":${JSON.stringify(row.output)}}`;
  return head;
}

/**
 * What a WebSocket subscriber is pushed on each state change (also the NOTIFY payload). The
 * function, times and running worker are there when the caller knows them: the dashboard's job
 * feed shows them.
 */
export function jobEvent(
  row: Pick<JobRow, 'id' | 'status' | 'document_id' | 'error' | 'attempts'> &
    Partial<Pick<JobRow, 'function' | 'created_at' | 'started_at' | 'finished_at' | 'worker_id'>> & { pages_done?: number | null; page_count?: number | null },
): string {
  const event: Record<string, unknown> = { type: 'job', jobId: row.id, status: row.status, attempts: row.attempts };
  if (row.function) event.function = row.function;
  if (row.document_id) event.documentId = row.document_id;
  if (row.created_at) event.createdAt = row.created_at.toISOString();
  if (row.started_at) event.startedAt = row.started_at.toISOString();
  if (row.finished_at) event.finishedAt = row.finished_at.toISOString();
  if (row.status === 'running' && row.worker_id) event.worker = row.worker_id;
  if (row.error && (row.status === 'failed' || row.status === 'queued')) event.error = row.error;
  if (row.page_count) {
    event.pagesDone = row.pages_done ?? 0;
    event.pageCount = row.page_count;
  }
  return JSON.stringify(event);
}

/**
 * A job event as it is NOTIFYed: the owning tenant on the first line, then the event clients are
 * pushed. The relay reads the tenant to publish the event to that tenant's job feed only; the
 * tenant itself is never sent to a client.
 */
export function jobNotice(tenant: string | null | undefined, event: string): string {
  return `${tenant ?? ''}\n${event}`;
}

export function readJobNotice(payload: string): { tenant: string | null; event: string } {
  const cut = payload.indexOf('\n');
  if (cut < 0) return { tenant: null, event: payload };
  return { tenant: payload.slice(0, cut) || null, event: payload.slice(cut + 1) };
}

export function linksFor(headers: Record<string, string>, jobId: string): JobLinks {
  const host = headers['x-forwarded-host'] ?? headers.host ?? 'localhost';
  const secure = (headers['x-forwarded-proto'] ?? 'http') === 'https';
  return {
    statusUrl: `${secure ? 'https' : 'http'}://${host}/ocr/jobs/${jobId}`,
    eventsUrl: `${secure ? 'wss' : 'ws'}://${host}/ws?jobId=${jobId}`,
  };
}

/** A succeeded job's stored result, as its function answers it, with the row it came from. */
export async function jobResult(reader: JobReader, row: JobRow): Promise<{ json: string; row: StoredResultRow } | null> {
  if (!row.result_id) return null;
  const result = (await reader.db.query(q.findResultById(row.result_id, row.tenant ?? null))).rows[0] as StoredResultRow | undefined;
  if (!result) return null;
  const cached = (row.output as { cached?: boolean } | null)?.cached ?? false;
  return { json: storedResultJson(result, reader.functions, cached), row: result };
}
