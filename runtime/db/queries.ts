// Every SQL statement the service runs, as named functions returning a pg query config.
// Hot statements carry a `name` so each connection prepares them once.

export interface Query {
  name?: string;
  text: string;
  values: unknown[];
}

// ---- documents and results -------------------------------------------------------------------

/** A result key: which document function, with which canonical options, on which engine. */
export interface ResultKey {
  fn: string;
  optionsKey: string;
  engine: string;
}

/**
 * The cached result of a document for one function + options + engine, and since when the
 * document's bytes are held, if they are (a hit on a document whose bytes were purged stores them
 * again, so its searchable PDF works for another retention period).
 */
export function findCachedResult(sha256: string, key: ResultKey): Query {
  return {
    name: 'find-cached-result',
    text: `SELECT d.id AS document_id, d.page_count, r.id AS result_id, r.payload, r.created_at,
                  (SELECT c.created_at FROM document_content c WHERE c.document_id = d.id) AS content_at
             FROM documents d JOIN results r ON r.document_id = d.id
            WHERE d.sha256 = $1 AND r.function = $2 AND r.options_key = $3 AND r.engine = $4`,
    values: [sha256, key.fn, key.optionsKey, key.engine],
  };
}

export function findPageResults(sha256s: string[], key: ResultKey): Query {
  return {
    name: 'find-page-results',
    text: `SELECT sha256, payload FROM page_results WHERE sha256 = ANY($1) AND function = $2 AND options_key = $3 AND engine = $4`,
    values: [sha256s, key.fn, key.optionsKey, key.engine],
  };
}

/**
 * Stores a document (once per content), its bytes for the retention period (searchable PDF,
 * queued retries) and its result, and records both as `tenant`'s (recordTenantSight) when one is
 * named, in one round trip; returns both ids. With `finish`, a queued run's fresh result also ends
 * its job in the same commit (the row, its queue entry and the subscribers' notice, as finishJob
 * does for other ends), and `finished` says whether the job was still this run's to end.
 */
export function storeResult(doc: {
  id: string;
  sha256: string;
  filename: string | null;
  contentType: string;
  bytes: number;
  pageCount: number;
  content: Uint8Array | null;
  resultId: string;
  key: ResultKey;
  options: unknown;
  payload: string;
  words: string;
  durationMs: number;
  tenant: string | null;
  finish?: { jobId: string } & JobEnd;
}): Query {
  const { finish, tenant } = doc;
  const values: unknown[] = [
    doc.id, doc.sha256, doc.filename, doc.contentType, doc.bytes, doc.pageCount, doc.resultId,
    doc.key.fn, doc.key.optionsKey, doc.key.engine, JSON.stringify(doc.options), doc.payload, doc.words, doc.durationMs,
    doc.content,
  ];
  const param = (value: unknown) => `$${values.push(value)}`;
  // Each part only when it applies: an unused part still costs its tables' locks and plan nodes.
  const sight = tenant
    ? `, sight AS (
             INSERT INTO tenant_documents (tenant, document_id, filename) SELECT ${param(tenant)}, doc.id, $3 FROM doc
             ON CONFLICT (tenant, document_id) DO UPDATE SET filename = EXCLUDED.filename
              WHERE tenant_documents.filename IS NULL AND EXCLUDED.filename IS NOT NULL
           ), result_sight AS (
             INSERT INTO tenant_results (tenant, result_id) SELECT $${values.length}, res.id FROM res
             ON CONFLICT DO NOTHING
           )`
    : '';
  const ending = finish
    ? {
        ctes: `, ${jobEndCtes({ id: param(finish.jobId), status: `'succeeded'`, documentId: '(SELECT id FROM doc)', resultId: '(SELECT id FROM res)', output: `'{"cached":false}'`, error: 'NULL', bossId: param(finish.bossId) }, finish)}`,
        columns: `, EXISTS (SELECT 1 FROM fin) AS finished, (SELECT pg_notify(${param(finish.channel)}, ${jobNoticeSql('fin')}) FROM fin) AS notified`,
      }
    : { ctes: '', columns: '' };
  return {
    name: `store-result${tenant ? '-tenant' : ''}${finish ? `-finish:${finish.queue}` : ''}`,
    text: `WITH doc AS (
             INSERT INTO documents (id, sha256, filename, content_type, bytes, page_count)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (sha256) DO UPDATE SET page_count = EXCLUDED.page_count
             RETURNING id
           ), content AS (
             INSERT INTO document_content (document_id, content)
             SELECT doc.id, $15 FROM doc WHERE $15::bytea IS NOT NULL
             ON CONFLICT (document_id) DO NOTHING
           ), res AS (
             INSERT INTO results (id, document_id, function, options_key, engine, options, payload, words, duration_ms)
             SELECT $7, doc.id, $8, $9, $10, $11, $12, $13, $14 FROM doc
             ON CONFLICT (document_id, function, options_key, engine)
               DO UPDATE SET payload = EXCLUDED.payload, words = EXCLUDED.words, duration_ms = EXCLUDED.duration_ms
             RETURNING id, created_at
           )${sight}${ending.ctes}
           SELECT doc.id AS document_id, res.id AS result_id, res.created_at${ending.columns} FROM doc, res`,
    values,
  };
}

export function storePageResults(rows: { sha256: string; payload: string }[], key: ResultKey): Query {
  return {
    text: `INSERT INTO page_results (sha256, function, options_key, engine, payload)
           SELECT s, $3, $4, $5, p FROM unnest($1::text[], $2::text[]) AS t(s, p)
           ON CONFLICT DO NOTHING`,
    values: [rows.map((r) => r.sha256), rows.map((r) => r.payload), key.fn, key.optionsKey, key.engine],
  };
}

// A tenant sees its own filename for a shared document (none if it gave none), never another's;
// without a tenant (admins, the anonymous tenant) the document's first filename.
const RESULT_COLUMNS = `d.id AS document_id, d.sha256, CASE WHEN $TENANT::text IS NULL THEN d.filename ELSE td.filename END AS filename,
                  d.content_type, d.bytes, d.page_count,
                  r.id AS result_id, r.function, r.options, r.engine, r.payload, r.duration_ms, r.created_at`;
const resultColumns = (tenantParam: string) => RESULT_COLUMNS.replace('$TENANT', tenantParam);

/**
 * The newest result of a document (of one function when `fn` is given), with the document's
 * metadata, among the results `scope` has seen (null: every result).
 */
export function findDocumentResult(documentId: string, fn: string | null, scope: string | null): Query {
  return {
    name: 'find-document-result',
    text: `SELECT ${resultColumns('$3')}
             FROM documents d JOIN results r ON r.document_id = d.id
             LEFT JOIN tenant_documents td ON td.document_id = d.id AND td.tenant = $3
            WHERE d.id = $1 AND ($2::text IS NULL OR r.function = $2)
              AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM tenant_results tr WHERE tr.tenant = $3 AND tr.result_id = r.id))
            ORDER BY r.created_at DESC LIMIT 1`,
    values: [documentId, fn, scope],
  };
}

/** A job's result, with the filename its owner gave (`owner` null: the document's own). */
export function findResultById(resultId: string, owner: string | null): Query {
  return {
    name: 'find-result-by-id',
    text: `SELECT ${resultColumns('$2')}
             FROM results r JOIN documents d ON d.id = r.document_id
             LEFT JOIN tenant_documents td ON td.document_id = d.id AND td.tenant = $2
            WHERE r.id = $1`,
    values: [resultId, owner],
  };
}

/**
 * Records that a tenant has sent a document (with its filename for it: the first it gave) and
 * seen a result; `firstSight` says whether this result is new to the tenant, so a cache hit on
 * another tenant's result is not reported as cached (that would say someone sent it before).
 */
export function recordTenantSight(sight: { tenant: string; documentId: string; filename: string | null; resultId: string | null }): Query {
  return {
    name: 'record-tenant-sight',
    text: `WITH doc AS (
             INSERT INTO tenant_documents (tenant, document_id, filename) VALUES ($1, $2, $3)
             ON CONFLICT (tenant, document_id) DO UPDATE SET filename = EXCLUDED.filename
              WHERE tenant_documents.filename IS NULL AND EXCLUDED.filename IS NOT NULL
           ), res AS (
             INSERT INTO tenant_results (tenant, result_id) SELECT $1, $4 WHERE $4::uuid IS NOT NULL
             ON CONFLICT DO NOTHING
             RETURNING 1
           )
           SELECT EXISTS (SELECT 1 FROM res) AS first_sight`,
    values: [sight.tenant, sight.documentId, sight.filename, sight.resultId],
  };
}

/** The words of a result, for include=words and the searchable PDF. */
export function findResultWords(resultId: string): Query {
  return { name: 'find-result-words', text: `SELECT words FROM results WHERE id = $1`, values: [resultId] };
}

/**
 * What the searchable PDF needs: the document's bytes (while retained) and the words of its newest
 * result that has them.
 */
export function findDocumentForPdf(documentId: string, scope: string | null): Query {
  return {
    text: `SELECT d.id, CASE WHEN $2::text IS NULL THEN d.filename ELSE td.filename END AS filename, d.content_type, c.content,
                  (SELECT r.words FROM results r WHERE r.document_id = d.id AND r.words IS NOT NULL
                      AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM tenant_results tr WHERE tr.tenant = $2 AND tr.result_id = r.id))
                    ORDER BY r.created_at DESC LIMIT 1) AS words
             FROM documents d LEFT JOIN document_content c ON c.document_id = d.id
             LEFT JOIN tenant_documents td ON td.document_id = d.id AND td.tenant = $2
            WHERE d.id = $1 AND ($2::text IS NULL OR td.tenant IS NOT NULL)`,
    values: [documentId, scope],
  };
}

export function ping(): Query {
  return { name: 'ping', text: 'SELECT 1', values: [] };
}

// ---- jobs ----------------------------------------------------------------------------------

const JOB_COLUMNS = `j.id, j.function, j.queue, j.status, j.attempts, j.document_id, j.error, j.output, j.callback_url,
  j.pages_done, j.page_count, j.created_at, j.started_at, j.finished_at, j.result_id, j.worker_id, j.tenant`;
/** The same columns as a RETURNING list names them (no table alias). */
const JOB_ROW_COLUMNS = JOB_COLUMNS.replace(/j\./g, '');

/**
 * A queue's name as a constant of a statement's text, for statements prepared once per queue.
 * pg-boss keeps each queue in a partition of its job table: with the name as a parameter,
 * PostgreSQL planned such a statement anew on every call to prune the other partitions (~0.35 ms
 * of its CPU per call, two calls per job); with a constant, one cached plan names the partition.
 */
const queueConstant = (queue: string) => `'${queue.replace(/'/g, "''")}'`;

/** A queue's entries that are ready to run, as pg-boss judges it: created or to retry, and due. */
const readyEntries = (schema: string, queue: string) =>
  `${schema}.job WHERE name = ${queueConstant(queue)} AND state < 'active' AND start_after < now()`;

/** A queue entry fetched to run: what running its job needs of it. */
export interface QueueEntry {
  id: string;
  name: string;
  data: { jobId: string };
  retryCount: number;
  retryLimit: number;
}

/** A job as its claim returns it (its bytes come from documentContent() when not at hand). */
export interface ClaimedJob {
  id: string;
  function: string;
  input: unknown;
  document_id: string | null;
  document_sha256: string | null;
  callback_url: string | null;
  attempts: number;
  tenant: string | null;
  created_at: Date;
  started_at: Date | null;
  waited_s: number;
}

/** A fetched entry and its job, claimed for this worker; `job` is null when the job had finished already. */
export interface ClaimedEntry extends QueueEntry {
  job: ClaimedJob | null;
}

/**
 * Up to `limit` ready entries of `queue`, oldest first, marked active as pg-boss 10's fetch does it
 * (plans.fetchNextJob, for queues of the standard policy, the only one this service creates); and
 * in the same statement their jobs claimed for `workerId`, with subscribers told they run (on
 * `channel`). One round trip takes a job from the queue to running, and a process killed after it
 * leaves nothing fetched-but-unclaimed: the orphan sweep finds its jobs by their worker. A job that
 * finished already (a duplicate delivery after a reclaim) comes back without `job`, for its entry to
 * be settled. The document's bytes are not read here: the spool or the accepting process usually
 * holds them (see jobs/spool.ts), and documentContent() reads them otherwise. The jobs are named
 * by an array of ids rather than a join: the planner cannot tell how few entries come back, and
 * joined it scanned the whole jobs table.
 */
export function claimQueueEntries(schema: string, queue: string, limit: number, workerId: string, channel: string): Query {
  const name = queueConstant(queue);
  return {
    name: `claim-queue-entries:${queue}`,
    text: `WITH next AS (
             SELECT id FROM ${readyEntries(schema, queue)}
              ORDER BY priority DESC, created_on, id
              LIMIT $1
              FOR UPDATE SKIP LOCKED
           ), entry AS (
             UPDATE ${schema}.job j SET state = 'active', started_on = now(),
                    retry_count = CASE WHEN j.started_on IS NOT NULL THEN j.retry_count + 1 ELSE j.retry_count END
               FROM next
              WHERE j.name = ${name} AND j.id = next.id
             RETURNING j.id, j.name, j.data, j.retry_count, j.retry_limit,
                       CASE WHEN j.data->>'jobId' ~* '^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$' THEN (j.data->>'jobId')::uuid END AS job_id
           ), claimed AS (
             UPDATE jobs SET status = 'running', attempts = attempts + 1, worker_id = $2,
                    boss_id = (SELECT e.id FROM entry e WHERE e.job_id = jobs.id),
                    started_at = COALESCE(started_at, now())
              WHERE jobs.id = ANY (ARRAY(SELECT job_id FROM entry)) AND ${statusIn('jobs.status', 'queued', 'running')}
             RETURNING ${JOB_COLUMNS.replace(/j\./g, 'jobs.')}, jobs.input,
                       EXTRACT(EPOCH FROM clock_timestamp() - jobs.created_at)::float8 AS waited_s
           )
           SELECT entry.id AS entry_id, entry.name AS entry_queue, entry.data AS entry_data,
                  entry.retry_count AS entry_retry_count, entry.retry_limit AS entry_retry_limit,
                  claimed.id, claimed.function, claimed.input, claimed.document_id, d.sha256 AS document_sha256,
                  claimed.callback_url, claimed.attempts, claimed.tenant, claimed.created_at, claimed.started_at, claimed.waited_s,
                  CASE WHEN claimed.id IS NOT NULL THEN pg_notify($3, ${jobNoticeSql('claimed')}) END AS notified
             FROM entry LEFT JOIN claimed ON claimed.id = entry.job_id
             LEFT JOIN documents d ON d.id = claimed.document_id`,
    values: [limit, workerId, channel],
  };
}

/** A row of claimQueueEntries as the consumer uses it. */
export function claimedEntry(row: Record<string, any>): ClaimedEntry {
  const { entry_id, entry_queue, entry_data, entry_retry_count, entry_retry_limit, notified: _, ...job } = row;
  return {
    id: entry_id,
    name: entry_queue,
    data: entry_data,
    retryCount: entry_retry_count,
    retryLimit: entry_retry_limit,
    job: job.id === null ? null : (job as ClaimedJob),
  };
}

/**
 * The queue entry of a job, inserted as pg-boss 10's send() does it (plans.insertJob) for a queue
 * whose settings are all on its row (as createQueues makes them): delivery data, expiry,
 * retention and retries from the queue. Being SQL of ours, it can share one statement with the
 * job row; test/runtime/db/submit-job.test.ts holds it to pg-boss's own send.
 */
const QUEUE_ENTRY = (schema: string, id: string, queue: string, jobId: string) => `
             INSERT INTO ${schema}.job (id, name, data, priority, start_after, expire_in, keep_until,
                                        retry_limit, retry_delay, retry_backoff, policy, dead_letter)
             SELECT ${id}::uuid, q.name, jsonb_build_object('jobId', ${jobId}::text), 0, now(),
                    COALESCE(q.expire_seconds * interval '1s', interval '15 minutes'),
                    now() + COALESCE(q.retention_minutes * interval '1 minute', interval '14 days'),
                    COALESCE(q.retry_limit, 2),
                    CASE WHEN COALESCE(q.retry_backoff, false) THEN GREATEST(q.retry_delay, 1) ELSE COALESCE(q.retry_delay, 0) END,
                    COALESCE(q.retry_backoff, false), q.policy, q.dead_letter
               FROM ${schema}.queue q WHERE q.name = ${queue}
             RETURNING id`;

/**
 * A status test for a statement that names its jobs by id. Written plainly (`status = 'running'`)
 * it implies the predicate of the partial indexes over unfinished jobs (jobs_unfinished,
 * jobs_tenant_unfinished), and the planner then scans one of those (every unfinished job, dead
 * entries too: O(queue depth) per call in a burst) rather than take the primary key's one entry.
 * `status || ''` tests the same without implying the predicate.
 */
const statusIn = (column: string, ...statuses: string[]) => `(${column} || '') IN (${statuses.map((v) => `'${v}'`).join(', ')})`;

const isoTime = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * A job's NOTIFY payload built in SQL from a row of `jobs` (every column of JOB_COLUMNS) named
 * `job`: the tenant line, then the event exactly as jobNotice(tenant, jobEvent(row)) writes it
 * (test/runtime/db/job-events.test.ts compares them). Built in the statement that changes the job,
 * the notice costs no round trip of its own and is delivered when that statement commits.
 */
export function jobNoticeSql(job: string): string {
  return `COALESCE(${job}.tenant, '') || chr(10) || (SELECT json_strip_nulls(row_to_json(e))::text FROM (
                SELECT 'job' AS type, ${job}.id AS "jobId", ${job}.status, ${job}.attempts, ${job}.function,
                       ${job}.document_id AS "documentId",
                       ${isoTime(`${job}.created_at`)} AS "createdAt", ${isoTime(`${job}.started_at`)} AS "startedAt",
                       ${isoTime(`${job}.finished_at`)} AS "finishedAt",
                       CASE WHEN ${job}.status = 'running' THEN ${job}.worker_id END AS worker,
                       CASE WHEN ${job}.status IN ('failed', 'queued') THEN ${job}.error END AS error,
                       CASE WHEN ${job}.page_count > 0 THEN COALESCE(${job}.pages_done, 0) END AS "pagesDone",
                       CASE WHEN ${job}.page_count > 0 THEN ${job}.page_count END AS "pageCount") e)`;
}

/**
 * Accepts a job in one statement, which commits everything at once: its document (a row once per
 * content, the bytes kept until retention, the tenant's sight of it with its filename), the job
 * row, its queue entry, and the notices (the job feed; `wakeChannel`, when given, wakes every
 * process's consumers). Without a document, only the job, entry and notices. No row comes back
 * when the queue does not exist.
 */
export function submitJob(
  job: {
    id: string;
    fn: string;
    queue: string;
    bossId: string;
    input: unknown;
    idempotencyKey: string | null;
    callbackUrl: string | null;
    tenant: string | null;
    document: { id: string; sha256: string; filename: string | null; contentType: string; content: Buffer } | null;
  },
  notices: { bossSchema: string; jobChannel: string; wakeChannel: string | null },
): Query {
  const d = job.document;
  return {
    name: 'submit-job',
    text: `WITH doc AS (
             INSERT INTO documents (id, sha256, filename, content_type, bytes)
             SELECT $9, $10, $11, $12, length($13::bytea) WHERE $10::text IS NOT NULL
             ON CONFLICT (sha256) DO UPDATE SET filename = COALESCE(documents.filename, EXCLUDED.filename)
             RETURNING id
           ), content AS (
             INSERT INTO document_content (document_id, content) SELECT id, $13 FROM doc
             ON CONFLICT (document_id) DO UPDATE SET created_at = now()
           ), sight AS (
             INSERT INTO tenant_documents (tenant, document_id, filename) SELECT $8, id, $11 FROM doc WHERE $8::text IS NOT NULL
             ON CONFLICT (tenant, document_id) DO UPDATE SET filename = EXCLUDED.filename
              WHERE tenant_documents.filename IS NULL AND EXCLUDED.filename IS NOT NULL
           ), entry AS (${QUEUE_ENTRY(notices.bossSchema, '$7', '$6', '$1')}
           ), job AS (
             INSERT INTO jobs (id, function, status, input, document_id, idempotency_key, callback_url, queue, tenant, boss_id)
             SELECT $1::uuid, $2, 'queued', $3::jsonb, (SELECT id FROM doc), $4, $5, $6, $8, entry.id FROM entry
             RETURNING ${JOB_ROW_COLUMNS}
           )
           SELECT job.id, job.function, job.status, job.attempts, job.document_id, job.created_at,
                  pg_notify($14, ${jobNoticeSql('job')}),
                  CASE WHEN $15::text IS NOT NULL THEN pg_notify($15, $6) END
             FROM job`,
    values: [
      job.id, job.fn, JSON.stringify(job.input), job.idempotencyKey, job.callbackUrl, job.queue, job.bossId, job.tenant,
      d?.id ?? null, d?.sha256 ?? null, d?.filename ?? null, d?.contentType ?? null, d?.content ?? null,
      notices.jobChannel, notices.wakeChannel,
    ],
  };
}

/** The bytes of a known document again (a cache hit on a document whose bytes were purged). */
export function storeDocumentContent(documentId: string, content: Buffer): Query {
  return {
    name: 'store-document-content',
    text: `INSERT INTO document_content (document_id, content) VALUES ($1, $2)
           ON CONFLICT (document_id) DO UPDATE SET created_at = now()`,
    values: [documentId, content],
  };
}

// Idempotency keys are unique per owner: COALESCE matches the index (jobs_idempotency_key).
export function findJobByIdempotencyKey(key: string, owner: string | null): Query {
  return {
    text: `SELECT ${JOB_COLUMNS}, j.created_at > now() - interval '24 hours' AS fresh
             FROM jobs j WHERE COALESCE(j.tenant, '') = COALESCE($2, '') AND j.idempotency_key = $1 FOR UPDATE`,
    values: [key, owner],
  };
}

/** An idempotency key older than 24 h is free again; the old job keeps its record. */
export function releaseIdempotencyKey(key: string, owner: string | null): Query {
  return {
    text: `UPDATE jobs SET idempotency_key = NULL WHERE COALESCE(tenant, '') = COALESCE($2, '') AND idempotency_key = $1`,
    values: [key, owner],
  };
}

/** Queued and running jobs of one owner, for MAX_QUEUED_JOBS_PER_KEY. */
export function countActiveJobs(owner: string | null): Query {
  return owner === null
    ? { name: 'count-active-jobs-anonymous', text: `SELECT count(*)::int AS active FROM jobs WHERE tenant IS NULL AND status IN ('queued', 'running')`, values: [] }
    : { name: 'count-active-jobs', text: `SELECT count(*)::int AS active FROM jobs WHERE tenant = $1 AND status IN ('queued', 'running')`, values: [owner] };
}

export function notify(channel: string, payload: string): Query {
  return { name: 'notify', text: `SELECT pg_notify($1, $2)`, values: [channel, payload] };
}

/** A job, if `scope` owns it (null: whoever does). */
export function findJob(jobId: string, scope: string | null): Query {
  return {
    name: 'find-job',
    text: `SELECT ${JOB_COLUMNS} FROM jobs j WHERE j.id = $1 AND ($2::text IS NULL OR j.tenant = $2)`,
    values: [jobId, scope],
  };
}

/** A document's bytes, for a job whose bytes neither its process nor the spool holds. */
export function documentContent(documentId: string): Query {
  return { name: 'document-content', text: `SELECT content FROM document_content WHERE document_id = $1`, values: [documentId] };
}

/** The newest jobs `scope` owns (null: everyone's), for the dashboard's job feed (index jobs_created_at). */
export function recentJobs(limit: number, scope: string | null): Query {
  return {
    name: 'recent-jobs',
    text: `SELECT ${JOB_COLUMNS} FROM jobs j WHERE ($2::text IS NULL OR j.tenant = $2) ORDER BY j.created_at DESC LIMIT $1`,
    values: [limit, scope],
  };
}

export function jobProgress(jobId: string, pagesDone: number, pageCount: number): Query {
  return {
    name: 'job-progress',
    text: `UPDATE jobs SET pages_done = $2, page_count = $3 WHERE id = $1 AND ${statusIn('status', 'running')}`,
    values: [jobId, pagesDone, pageCount],
  };
}

/** Where a job's end is recorded: its queue entry, and the channel its subscribers hear on. */
export interface JobEnd {
  bossSchema: string;
  queue: string;
  bossId: string;
  channel: string;
}

/**
 * The end of a job as two CTEs, `fin` (the row, returned) and `entry` (its queue entry completed as
 * pg-boss 10's complete() does it: plans.completeJobs, state and completed_on of an active entry).
 * Each value is an SQL expression: parameters for finishJob, the stored result for storeResult.
 */
function jobEndCtes(v: { id: string; status: string; documentId: string; resultId: string; output: string; error: string; bossId: string }, end: Omit<JobEnd, 'bossId' | 'channel'>): string {
  return `fin AS (
             UPDATE jobs SET status = ${v.status}, document_id = COALESCE(${v.documentId}, document_id), result_id = ${v.resultId},
                    output = ${v.output}, error = ${v.error}, finished_at = now(), worker_id = NULL,
                    pages_done = CASE WHEN ${v.status} = 'succeeded' THEN page_count ELSE pages_done END
              WHERE id = ${v.id} AND ${statusIn('status', 'running')}
              RETURNING ${JOB_ROW_COLUMNS}
           ), entry AS (
             UPDATE ${end.bossSchema}.job SET completed_on = now(), state = 'completed'
              WHERE name = ${queueConstant(end.queue)} AND id = ${v.bossId} AND state = 'active'
           )`;
}

export function finishJob(
  job: {
    id: string;
    status: 'succeeded' | 'failed';
    documentId: string | null;
    resultId: string | null;
    output: unknown;
    error: unknown;
  },
  entry: { bossSchema: string; queue: string; bossId: string },
  channel: string,
): Query {
  // The queue entry is completed in the same statement, and subscribers are told (on `channel`)
  // when it commits: one round trip, and no transaction, for the end of every job.
  const ctes = jobEndCtes({ id: '$1', status: '$2', documentId: '$3', resultId: '$4', output: '$5', error: '$6', bossId: '$7' }, entry);
  return {
    name: `finish-job:${entry.queue}`,
    text: `WITH ${ctes}
           SELECT fin.*, pg_notify($8, ${jobNoticeSql('fin')}) FROM fin`,
    values: [
      job.id, job.status, job.documentId, job.resultId, job.output === null ? null : JSON.stringify(job.output), job.error === null ? null : JSON.stringify(job.error),
      entry.bossId, channel,
    ],
  };
}

/** A retryable failure: back to queued, with the error kept for pollers to see. */
export function requeueJob(jobId: string, error: unknown): Query {
  return {
    name: 'requeue-job',
    text: `UPDATE jobs SET status = 'queued', error = $2, worker_id = NULL WHERE id = $1 AND ${statusIn('status', 'running')}`,
    values: [jobId, JSON.stringify(error)],
  };
}

// ---- Textract rate -------------------------------------------------------------------------

/** The bucket row of each paced operation; created empty, so a fresh cluster starts without burst. */
export function ensureQuotaRows(operations: string[]): Query {
  return {
    text: `INSERT INTO textract_quota (operation, tokens, updated_at)
           SELECT o, 0, clock_timestamp() FROM unnest($1::text[]) AS o
           ON CONFLICT (operation) DO NOTHING`,
    values: [operations],
  };
}

/** Takes up to `count` whole tokens from the operation's shared bucket; `before` says how full it was. */
export function takeRateToken(operation: string, perSecond: number, capacity: number, count = 1): Query {
  return {
    name: 'take-rate-token',
    text: `WITH b AS (
             SELECT LEAST($2::float8, tokens + EXTRACT(EPOCH FROM clock_timestamp() - updated_at) * $1::float8) AS level
               FROM textract_quota WHERE operation = $3 FOR UPDATE
           ), t AS (
             SELECT level, GREATEST(0, LEAST(floor(level), $4::int))::int AS granted FROM b
           )
           UPDATE textract_quota SET tokens = t.level - t.granted, updated_at = clock_timestamp()
             FROM t WHERE operation = $3
           RETURNING t.granted, t.level AS before`,
    values: [perSecond, capacity, operation, count],
  };
}

export function returnRateToken(operation: string, perSecond: number, capacity: number, count = 1): Query {
  return {
    name: 'return-rate-token',
    text: `UPDATE textract_quota
              SET tokens = LEAST($2::float8, tokens + EXTRACT(EPOCH FROM clock_timestamp() - updated_at) * $1::float8 + $4::int),
                  updated_at = clock_timestamp()
            WHERE operation = $3`,
    values: [perSecond, capacity, operation, count],
  };
}

// ---- workers -------------------------------------------------------------------------------

export function heartbeat(workerId: string, host: string, pid: number): Query {
  return {
    name: 'heartbeat',
    text: `INSERT INTO workers (id, host, pid) VALUES ($1, $2, $3)
           ON CONFLICT (id) DO UPDATE SET last_seen = now()`,
    values: [workerId, host, pid],
  };
}

export function removeWorker(workerId: string): Query {
  return { text: `DELETE FROM workers WHERE id = $1`, values: [workerId] };
}

/**
 * Running jobs whose worker stopped sending heartbeats (killed, machine lost): taken back so the
 * queue delivers them again. SKIP LOCKED lets every process sweep without double work.
 */
export function reclaimOrphanedJobs(staleMs: number): Query {
  return {
    text: `WITH orphaned AS (
             SELECT j.id FROM jobs j
              WHERE j.status = 'running'
                AND NOT EXISTS (SELECT 1 FROM workers w WHERE w.id = j.worker_id
                                   AND w.last_seen > now() - make_interval(secs => $1 / 1000.0))
              FOR UPDATE SKIP LOCKED
           )
           UPDATE jobs SET status = 'queued', worker_id = NULL,
                  error = '{"code":"WORKER_LOST","message":"The process running this job stopped; it was retried."}'
             FROM orphaned WHERE jobs.id = orphaned.id
           RETURNING jobs.id, jobs.boss_id, jobs.queue, jobs.tenant`,
    values: [staleMs],
  };
}

/** Whether a queue holds a job ready to be fetched: an idle lane looks before it pays a quota token. */
export function queueHasWork(bossSchema: string, queue: string): Query {
  return {
    name: `queue-has-work:${queue}`,
    text: `SELECT EXISTS (SELECT 1 FROM ${readyEntries(bossSchema, queue)}) AS ready`,
    values: [],
  };
}

/**
 * Jobs whose queue entry is active while the job is `queued`, for longer than any live process
 * takes to hand one back: a process died between putting a job back to `queued` and failing its
 * entry (the presence sweep's hand-back; a claim itself sets both at once). Failing the entry
 * makes pg-boss deliver it again now instead of after JOB_EXPIRE_SECONDS.
 */
export function findUnclaimedJobs(bossSchema: string, staleMs: number): Query {
  return {
    text: `SELECT b.id, b.name FROM jobs j JOIN ${bossSchema}.job b ON b.name = j.queue AND b.id = j.boss_id
            WHERE j.status = 'queued' AND b.state = 'active'
              AND b.started_on < now() - make_interval(secs => $1 / 1000.0)
            LIMIT 500`,
    values: [staleMs],
  };
}

/** Jobs recorded as running on this process; the process compares them with what it runs. */
export function jobsHeldBy(workerId: string): Query {
  return { name: 'jobs-held-by', text: `SELECT id FROM jobs WHERE worker_id = $1 AND status = 'running'`, values: [workerId] };
}

/**
 * Jobs a live process holds as running but does not run: their outcome was never recorded (the
 * database was away when it came). Taken back like a dead process's jobs, so the queue delivers
 * them again instead of leaving them until the queue's expiry.
 */
export function reclaimLostJobs(workerId: string, jobIds: string[]): Query {
  return {
    text: `UPDATE jobs SET status = 'queued', worker_id = NULL,
                  error = '{"code":"WORKER_LOST","message":"The outcome of this job was not recorded; it was retried."}'
            WHERE worker_id = $1 AND status = 'running' AND id = ANY($2::uuid[])
            RETURNING id, boss_id, queue, tenant`,
    values: [workerId, jobIds],
  };
}

export function pruneWorkers(staleMs: number): Query {
  return {
    text: `DELETE FROM workers WHERE last_seen < now() - make_interval(secs => $1 / 1000.0) * 10`,
    values: [staleMs],
  };
}

/**
 * Unfinished jobs without a live queue entry: the entry was exhausted by repeated worker loss
 * (expiry), or removed outside the service. Maintenance finishes or re-sends them, so every
 * accepted job reaches a final state.
 */
export function findStrandedJobs(bossSchema: string): Query {
  return {
    text: `SELECT j.id, j.attempts, j.queue FROM jobs j
            WHERE j.status IN ('queued', 'running') AND j.created_at < now() - interval '1 minute'
              AND NOT EXISTS (SELECT 1 FROM ${bossSchema}.job b
                               WHERE b.name = j.queue AND b.id = j.boss_id AND b.state < 'completed')
            LIMIT 500`,
    values: [],
  };
}

export function failStrandedJob(jobId: string): Query {
  return {
    text: `UPDATE jobs SET status = 'failed', worker_id = NULL, finished_at = now(),
                  error = '{"code":"RETRIES_EXHAUSTED","message":"The job was retried as often as allowed without finishing."}'
            WHERE id = $1 AND ${statusIn('status', 'queued', 'running')}
            RETURNING ${JOB_ROW_COLUMNS}`,
    values: [jobId],
  };
}

export function requeueStrandedJob(jobId: string, bossId: string): Query {
  return {
    text: `UPDATE jobs SET status = 'queued', worker_id = NULL, boss_id = $2 WHERE id = $1 AND ${statusIn('status', 'queued', 'running')}`,
    values: [jobId, bossId],
  };
}

// ---- retention -----------------------------------------------------------------------------

/** Bytes of documents whose jobs all finished more than `hours` ago; results are kept. */
export function purgeDocumentContent(hours: number): Query {
  return {
    text: `DELETE FROM document_content c
            WHERE c.created_at < now() - make_interval(hours => $1)
              AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.document_id = c.document_id
                                 AND (j.status IN ('queued', 'running') OR j.finished_at > now() - make_interval(hours => $1)))`,
    values: [hours],
  };
}

export function expireIdempotencyKeys(): Query {
  return {
    text: `UPDATE jobs SET idempotency_key = NULL
            WHERE idempotency_key IS NOT NULL AND created_at < now() - interval '24 hours'`,
    values: [],
  };
}

// ---- queue statistics ----------------------------------------------------------------------

export function queueStats(staleMs: number): Query {
  return {
    name: 'queue-stats',
    text: `WITH recent AS (
             SELECT status,
                    EXTRACT(EPOCH FROM (finished_at - started_at)) * 1000 AS processing_ms,
                    EXTRACT(EPOCH FROM (started_at - created_at)) * 1000 AS wait_ms,
                    finished_at
               FROM jobs WHERE finished_at > now() - interval '5 minutes'
           )
           SELECT
             (SELECT count(*) FROM jobs WHERE status = 'queued')::int AS queued,
             (SELECT count(*) FROM jobs WHERE status = 'running')::int AS running,
             (SELECT count(*) FROM recent WHERE status = 'succeeded')::int AS succeeded,
             (SELECT count(*) FROM recent WHERE status = 'failed')::int AS failed,
             (SELECT avg(processing_ms) FROM recent) AS processing_avg,
             (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY processing_ms) FROM recent) AS processing_p50,
             (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY processing_ms) FROM recent) AS processing_p95,
             (SELECT max(processing_ms) FROM recent) AS processing_max,
             (SELECT avg(wait_ms) FROM recent) AS wait_avg,
             (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY wait_ms) FROM recent) AS wait_p95,
             (SELECT count(*) FROM recent WHERE status = 'succeeded' AND finished_at > now() - interval '1 minute')::int AS last_minute,
             (SELECT count(*) FROM workers WHERE last_seen > now() - make_interval(secs => $1 / 1000.0))::int AS workers,
             now() - interval '5 minutes' AS since`,
    values: [staleMs],
  };
}

// ---- metrics and the dashboard -------------------------------------------------------------

/** Queue depth and live processes for GET /metrics, read at scrape time (index jobs_unfinished). */
export function queueGauges(staleMs: number): Query {
  return {
    name: 'queue-gauges',
    text: `SELECT count(*) FILTER (WHERE status = 'queued')::int AS queued,
                  count(*) FILTER (WHERE status = 'running')::int AS running,
                  COALESCE(EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE status = 'queued')), 0)::float8 AS oldest_queued_s,
                  (SELECT count(*) FROM workers WHERE last_seen > now() - make_interval(secs => $1 / 1000.0))::int AS processes
             FROM jobs WHERE status IN ('queued', 'running')`,
    values: [staleMs],
  };
}

/**
 * Documents processed (results stored: sync and queued, not cache hits) in 10-second buckets over
 * the last 10 minutes, with their processing time.
 */
export function documentTimeline(): Query {
  return {
    name: 'document-timeline',
    text: `SELECT floor(EXTRACT(EPOCH FROM created_at) / 10)::bigint * 10 AS bucket,
                  count(*)::int AS documents,
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50,
                  percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95
             FROM results WHERE created_at > now() - interval '10 minutes'
            GROUP BY 1 ORDER BY 1`,
    values: [],
  };
}

/**
 * Documents processed in the last minute, processing time over the last five, and the database's
 * clock (a browser places the timeline's buckets by it, not by its own).
 */
export function documentFigures(): Query {
  return {
    name: 'document-figures',
    text: `SELECT count(*) FILTER (WHERE created_at > now() - interval '1 minute')::int AS last_minute,
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50,
                  percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95,
                  EXTRACT(EPOCH FROM now())::float8 AS now
             FROM results WHERE created_at > now() - interval '5 minutes'`,
    values: [],
  };
}

/** Every process that sent a heartbeat recently, on any machine, with the jobs it runs. */
export function clusterProcesses(staleMs: number): Query {
  return {
    name: 'cluster-processes',
    text: `SELECT w.id, w.host, w.pid, w.started_at, w.last_seen,
                  w.last_seen > now() - make_interval(secs => $1 / 1000.0) AS alive,
                  (SELECT count(*) FROM jobs j WHERE j.status = 'running' AND j.worker_id = w.id)::int AS running
             FROM workers w ORDER BY w.host, w.started_at`,
    values: [staleMs],
  };
}
