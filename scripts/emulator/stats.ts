// Counters a benchmark reads to judge a client: how many calls got through, how many were
// throttled and when. Everything is a counter or a bounded array, so a long run costs nothing.
import { API_NAMES, type ApiName } from './apis.ts';

/** Throttle buckets cover the first hour after the first call; later throttles land in the last bucket. */
const MAX_SECONDS = 3600;

export interface ApiStats {
  calls: number;
  ok: number;
  /** Quota refusals (ProvisionedThroughputExceededException). */
  throttled: number;
  /** By error type: random faults (failRate) and marker-forced ones. */
  injectedFaults: Record<string, number>;
  /** Document and parameter errors by type. */
  rejected: Record<string, number>;
  /** Clients that hung up before their answer. */
  aborted: number;
  inFlight: number;
  maxInFlight: number;
  /** Quota throttles per whole second since the first call (index 0 = the first second). */
  throttlesBySecond: number[];
}

export interface EmulatorStats {
  startedAt: string;
  firstCallAt: string | null;
  /** Every POST to the API endpoint, including ones refused before reaching an operation. */
  total: number;
  ok: number;
  throttled: number;
  /** Quota throttles more than one second after the first call: a well-paced client keeps this at 0. */
  throttlesAfterFirstSecond: number;
  inFlight: number;
  maxInFlight: number;
  /** Requests refused before reaching an operation (auth, unknown target, malformed JSON, body too large). */
  protocolErrors: Record<string, number>;
  cache: { hits: number; misses: number };
  apis: Record<ApiName, ApiStats>;
}

function emptyApis(inFlight: (api: ApiName) => number = () => 0): Record<ApiName, ApiStats> {
  return Object.fromEntries(API_NAMES.map((api) => [api, emptyApi(inFlight(api))])) as Record<ApiName, ApiStats>;
}

function emptyApi(inFlight = 0): ApiStats {
  return {
    calls: 0, ok: 0, throttled: 0, injectedFaults: {}, rejected: {}, aborted: 0,
    inFlight, maxInFlight: inFlight, throttlesBySecond: [],
  };
}

function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

export class StatsCollector {
  private startedAt = Date.now();
  private firstCallAt: number | null = null;
  private total = 0;
  private inFlight = 0;
  private maxInFlight = 0;
  private protocolErrors: Record<string, number> = {};
  private cache = { hits: 0, misses: 0 };
  private apis: Record<ApiName, ApiStats> = emptyApis();

  request(): void {
    this.total++;
    this.firstCallAt ??= Date.now();
  }

  protocolError(type: string): void {
    bump(this.protocolErrors, type);
  }

  call(api: ApiName): void {
    this.apis[api].calls++;
  }

  throttled(api: ApiName): void {
    const s = this.apis[api];
    s.throttled++;
    const second = Math.min(MAX_SECONDS - 1, Math.floor((Date.now() - (this.firstCallAt ?? Date.now())) / 1000));
    while (s.throttlesBySecond.length <= second) s.throttlesBySecond.push(0);
    s.throttlesBySecond[second]++;
  }

  started(api: ApiName): void {
    const s = this.apis[api];
    s.inFlight++;
    s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
  }

  /** Ends an in-flight call; `outcome` says how it ended. */
  finished(api: ApiName, outcome: { kind: 'ok' } | { kind: 'fault' | 'rejected'; type: string } | { kind: 'aborted' }): void {
    const s = this.apis[api];
    s.inFlight--;
    this.inFlight--;
    if (outcome.kind === 'ok') s.ok++;
    else if (outcome.kind === 'aborted') s.aborted++;
    else bump(outcome.kind === 'fault' ? s.injectedFaults : s.rejected, outcome.type);
  }

  /** A client that hung up while still sending its request. */
  abortedEarly(api: ApiName): void {
    this.apis[api].aborted++;
  }

  /** A refusal that never became in-flight (bad parameters). */
  rejectedEarly(api: ApiName, type: string): void {
    bump(this.apis[api].rejected, type);
  }

  cacheLookup(hit: boolean): void {
    if (hit) this.cache.hits++;
    else this.cache.misses++;
  }

  snapshot(): EmulatorStats {
    const apis = structuredClone(this.apis);
    const all = Object.values(apis);
    return {
      startedAt: new Date(this.startedAt).toISOString(),
      firstCallAt: this.firstCallAt === null ? null : new Date(this.firstCallAt).toISOString(),
      total: this.total,
      ok: all.reduce((n, s) => n + s.ok, 0),
      throttled: all.reduce((n, s) => n + s.throttled, 0),
      throttlesAfterFirstSecond: all.reduce((n, s) => n + s.throttlesBySecond.slice(1).reduce((a, b) => a + b, 0), 0),
      inFlight: this.inFlight,
      maxInFlight: this.maxInFlight,
      protocolErrors: { ...this.protocolErrors },
      cache: { ...this.cache },
      apis,
    };
  }

  /** Calls still in flight stay counted, so their completion cannot drive the gauges negative. */
  reset(): void {
    this.startedAt = Date.now();
    this.firstCallAt = null;
    this.total = 0;
    this.maxInFlight = this.inFlight;
    this.protocolErrors = {};
    this.cache = { hits: 0, misses: 0 };
    const previous = this.apis;
    this.apis = emptyApis((api) => previous[api].inFlight);
  }
}
