import type { ApiName } from './apis.ts';
import { LATENCY_DISTS, type LatencyModel } from './latency.ts';

export interface EmulatorOptions {
  /** 0 = pick a free port (default 0). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Fixed latency per successful call (default 0). */
  latencyMs?: number;
  /** Alternative to latencyMs; deterministic given seed. */
  latency?: LatencyModel;
  /** Quota per API (each API has its own bucket, like real Textract); 0/undefined = unlimited. */
  tps?: number;
  detectTps?: number;
  analyzeTps?: number;
  expenseTps?: number;
  idTps?: number;
  /** 0..1 fraction of calls that fail with an injected fault (InternalServerError or ThrottlingException, half each). */
  failRate?: number;
  seed?: number;
}

export const DEFAULT_SEED = 1;

/** The settings a running emulator acts on, after defaults and overrides. */
export interface ResolvedConfig {
  latency: LatencyModel;
  /** Each operation's quota; an operation without its own option falls back to `tps`. */
  tps: Record<ApiName, number>;
  failRate: number;
  seed: number;
}

export function resolve(o: EmulatorOptions): ResolvedConfig {
  const fallback = o.tps ?? 0;
  return {
    latency: o.latency ?? { dist: 'fixed', meanMs: o.latencyMs ?? 0 },
    tps: {
      DetectDocumentText: o.detectTps ?? fallback,
      AnalyzeDocument: o.analyzeTps ?? fallback,
      AnalyzeExpense: o.expenseTps ?? fallback,
      AnalyzeID: o.idTps ?? fallback,
    },
    failRate: o.failRate ?? 0,
    seed: o.seed ?? DEFAULT_SEED,
  };
}

/**
 * Folds a patch into the options. A key present with value undefined (or null, from JSON) clears
 * that option; latencyMs and latency replace each other, whichever came last.
 */
export function mergeOptions(current: EmulatorOptions, patch: Partial<EmulatorOptions>): EmulatorOptions {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || value === null) delete next[key];
    else next[key] = value;
  }
  if ('latencyMs' in patch && !('latency' in patch)) delete next.latency;
  if ('latency' in patch && !('latencyMs' in patch)) delete next.latencyMs;
  return next as EmulatorOptions;
}

const nonNegative = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** Null when the options are valid, else a message naming the first bad one. */
export function validateOptions(o: unknown): string | null {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return 'options must be an object';
  const known = new Set(['port', 'host', 'latencyMs', 'latency', 'tps', 'detectTps', 'analyzeTps', 'expenseTps', 'idTps', 'failRate', 'seed']);
  for (const [key, value] of Object.entries(o)) {
    if (!known.has(key)) return `unknown option ${key}`;
    if (value === undefined || value === null) continue;
    switch (key) {
      case 'port':
        if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 65535) return 'port must be an integer 0..65535';
        break;
      case 'host':
        if (typeof value !== 'string' || value === '') return 'host must be a non-empty string';
        break;
      case 'failRate':
        if (!nonNegative(value) || (value as number) > 1) return 'failRate must be a number in 0..1';
        break;
      case 'seed':
        if (!Number.isInteger(value)) return 'seed must be an integer';
        break;
      case 'latency': {
        const l = value as Partial<LatencyModel>;
        if (typeof l !== 'object' || !LATENCY_DISTS.includes(l.dist as LatencyModel['dist'])) {
          return `latency.dist must be one of ${LATENCY_DISTS.join(', ')}`;
        }
        if (!nonNegative(l.meanMs)) return 'latency.meanMs must be a non-negative number';
        if (l.spreadMs !== undefined && !nonNegative(l.spreadMs)) return 'latency.spreadMs must be a non-negative number';
        break;
      }
      default:
        if (!nonNegative(value)) return `${key} must be a non-negative number`;
    }
  }
  return null;
}
