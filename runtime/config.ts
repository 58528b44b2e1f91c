import { readKeys } from './http/api-keys.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAdapterSetting, type AdapterSetting } from './http/adapter-setting.ts';

// Every setting the service reads, parsed once. `.env.example` documents each of them.

/** The folder holding package.json, whether this file runs from source or from the build. */
export const PROJECT_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

function findRoot(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json'))) return d;
    if (path.dirname(d) === d) return dir;
  }
}

export type EngineChoice = 'textract' | 'tesseract' | 'paddle' | 'auto';

export interface Config {
  port: number;
  host: string;
  workers: number;
  /** auto | uws | node; see runtime/http/choose-adapter.ts. */
  httpAdapter: AdapterSetting;
  /** The package (or folder) that provides uWebSockets.js. */
  uwsModule: string;
  databaseUrl?: string;
  pgDataDir: string;
  pgPort: number;
  /** API_KEYS entries as written (`name:key` or a bare key); runtime/http/api-keys.ts reads them. */
  apiKeys: string[];
  /** One `name:key` or `name:sha256:<hex>` per line; read at start and on SIGHUP. */
  apiKeysFile?: string;
  /** Tenants (key names) that see every tenant's jobs and documents. */
  adminTenants: string[];
  /** Requests per second per tenant, per process (0 = no limit), with this much burst. */
  rateLimitPerKey: number;
  rateLimitBurst: number;
  /** Queued + running jobs one tenant may have at once (0 = no limit). */
  maxQueuedJobsPerKey: number;
  ocrEngine: EngineChoice;
  /** A local engine's thread idle this long ends, giving its memory back. */
  localEngineIdleMs: number;
  textractEndpoint?: string;
  awsRegion: string;
  engineConcurrency: number;
  textractTps: number;
  /** TEXTRACT_TPS_<OPERATION> overrides, keyed by the operation name upper-cased without separators. */
  textractTpsByOperation: Record<string, number>;
  syncTimeoutMs: number;
  maxDocumentBytes: number;
  /** Request body bytes one worker holds at once; past it uploads get 503 OVERLOADED unread. */
  maxInflightBytes: number;
  maxPages: number;
  shutdownTimeoutMs: number;
  jobRetryLimit: number;
  jobExpireSeconds: number;
  /** How long an idle lane sleeps before looking at its queue unwoken (the wake-ups are NOTIFY). */
  jobPollMs: number;
  /** Where a queued job's bytes wait for a claim on this machine (null: claims read the database). */
  jobSpoolDir: string | null;
  /** Bytes one process may leave there at once. */
  jobSpoolBytes: number;
  documentRetentionHours: number;
  callbackSecret?: string;
  callbackAllowedHosts: string[];
  version: string;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) {
    throw new Error(`${name} must be a number >= ${min}, got "${raw}"`);
  }
  return value;
}

function list(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const ocrEngine = (env.OCR_ENGINE ?? 'auto') as EngineChoice;
  const apiKeys = list(env.API_KEYS);
  const apiKeysFile = env.API_KEYS_FILE || undefined;
  // Read now so a malformed entry or key file stops the launcher, once, before any worker starts.
  if (apiKeys.length || apiKeysFile) readKeys({ apiKeys, apiKeysFile, adminTenants: [] });
  if (!['textract', 'tesseract', 'paddle', 'auto'].includes(ocrEngine)) {
    throw new Error(`OCR_ENGINE must be textract, paddle, tesseract or auto, got "${env.OCR_ENGINE}"`);
  }
  return {
    port: int(env, 'PORT', 8080),
    host: env.HOST ?? '0.0.0.0',
    workers: int(env, 'WORKERS', 4, 1),
    httpAdapter: parseAdapterSetting(env.HTTP_ADAPTER),
    uwsModule: env.UWS_MODULE || 'uWebSockets.js',
    databaseUrl: env.DATABASE_URL || undefined,
    pgDataDir: path.resolve(PROJECT_ROOT, env.PG_DATA_DIR ?? '.data/pg'),
    pgPort: int(env, 'PG_PORT', 54329, 1),
    apiKeys,
    apiKeysFile,
    adminTenants: list(env.ADMIN_TENANTS),
    rateLimitPerKey: int(env, 'RATE_LIMIT_PER_KEY', 0),
    // One second's worth by default: a client may send a second's requests at once, no more.
    rateLimitBurst: int(env, 'RATE_LIMIT_BURST', Math.max(1, int(env, 'RATE_LIMIT_PER_KEY', 0)), 1),
    maxQueuedJobsPerKey: int(env, 'MAX_QUEUED_JOBS_PER_KEY', 0),
    ocrEngine,
    localEngineIdleMs: int(env, 'LOCAL_ENGINE_IDLE_MS', 5 * 60_000, 100),
    textractEndpoint: env.TEXTRACT_ENDPOINT || undefined,
    awsRegion: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    engineConcurrency: int(env, 'ENGINE_CONCURRENCY', 64, 1),
    textractTps: int(env, 'TEXTRACT_TPS', 10),
    textractTpsByOperation: operationQuotas(env),
    syncTimeoutMs: int(env, 'SYNC_TIMEOUT_MS', 60_000, 100),
    maxDocumentBytes: int(env, 'MAX_DOCUMENT_BYTES', 10 * 1024 * 1024, 1),
    maxInflightBytes: int(env, 'MAX_INFLIGHT_BYTES', 128 * 1024 * 1024, 1),
    maxPages: int(env, 'MAX_PAGES', 100, 1),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 30_000),
    jobRetryLimit: int(env, 'JOB_RETRY_LIMIT', 5),
    jobExpireSeconds: int(env, 'JOB_EXPIRE_SECONDS', 900, 1),
    jobPollMs: int(env, 'JOB_POLL_MS', 2_000, 50),
    jobSpoolDir: !env.JOB_SPOOL_DIR ? defaultSpoolDir() : env.JOB_SPOOL_DIR === 'off' ? null : path.resolve(PROJECT_ROOT, env.JOB_SPOOL_DIR),
    jobSpoolBytes: int(env, 'JOB_SPOOL_MB', 32) * 1024 * 1024,
    documentRetentionHours: int(env, 'DOCUMENT_RETENTION_HOURS', 24),
    callbackSecret: env.CALLBACK_SECRET || undefined,
    callbackAllowedHosts: list(env.CALLBACK_ALLOWED_HOSTS).map((h) => h.toLowerCase()),
    // Read from package.json when not started through npm (the Docker image runs node directly).
    version: env.npm_package_version ?? packageVersion(),
  };
}

// TEXTRACT_TPS_ANALYZE_EXPENSE and TEXTRACT_TPS_ANALYZEEXPENSE both name AnalyzeExpense: the key
// drops separators and case, so any spelling of the operation works.
const OPERATION_QUOTA = /^TEXTRACT_TPS_([A-Z0-9_]+)$/i;

function operationQuotas(env: NodeJS.ProcessEnv): Record<string, number> {
  const quotas: Record<string, number> = {};
  for (const name of Object.keys(env)) {
    const match = OPERATION_QUOTA.exec(name);
    if (match && env[name] !== '') quotas[operationKey(match[1]!)] = int(env, name, 0);
  }
  return quotas;
}

export function operationKey(operation: string): string {
  return operation.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
}

/** The account's TPS for one Textract operation: its own setting, else TEXTRACT_TPS. */
export function operationTps(config: Pick<Config, 'textractTps' | 'textractTpsByOperation'>, operation: string): number {
  return config.textractTpsByOperation[operationKey(operation)] ?? config.textractTps;
}

// Memory-backed where the machine has it (a file is read back within seconds and never needs a
// disk), one folder per user.
function defaultSpoolDir(): string {
  const shm = '/dev/shm';
  const base = fs.existsSync(shm) && fs.statSync(shm).isDirectory() ? shm : os.tmpdir();
  return path.join(base, `dtat-ocr-jobs-${process.getuid?.() ?? 'user'}`);
}

function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

export function cpuCount(): number {
  return os.availableParallelism?.() ?? os.cpus().length;
}
