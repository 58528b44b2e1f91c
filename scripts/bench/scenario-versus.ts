// DTAT-OCR against the FastAPI peer (the old system's design) on one machine, in one run: both
// in front of the same Textract emulator answering at 0 ms, each with 4 workers and a PostgreSQL
// server of its own on a fresh database, measured in alternating rounds (service, peer, peer,
// service, ...) so that whatever else the machine is doing falls on both alike. The measure is
// CPU per document from /proc (the serving process tree; the PostgreSQL server's tree), which a
// busy machine disturbs far less than rates do; docs/min is reported too, and is machine-bound
// (load client, emulator and both databases share the cores). Medians of the rounds.
// VERSUS_AGAINST=<checkout> puts another checkout of the service in the peer's place (its
// node_modules linked or installed), so one commit can be measured against its parent.
import path from 'node:path';
import { runLoad, type DocumentProvider, type LoadResult } from '../loadtest/index.ts';
import { sleep, type Scenario, type ScenarioContext } from './context.ts';
import { densePngVariants, pngVariants } from './documents.ts';
import { Submitter } from './jobs.ts';
import { findPeer } from './peer.ts';
import { memorySum } from './procfs.ts';
import { loadAverage, treeCpuMeter } from './process-tree.ts';
import { salt } from './scenario-sync.ts';
import type { BenchRow } from './table.ts';
import { type Side, startPeerSide, startServiceSide } from './versus-sides.ts';

// The issue's bars (issue 10), as ratios of the service's figure to the peer's (or its own sync figure).
const TARGETS = {
  sparseCpu: 0.6,
  sparseDocsPerMinute: 1.3,
  denseCpu: 0.35,
  asyncToSync: 2,
  cacheHitMs: 0.5,
  idlePssMb: 240,
} as const;

// The quota the service paces against: far above what two cores reach, so it never binds, but
// every Textract call still takes its token from the shared bucket as in production.
const TEXTRACT_TPS = '2000';

interface Plan {
  rounds: number;
  warmMs: number;
  sparse: { clients: number; ms: number };
  dense: { clients: number; ms: number };
  async: { jobs: number; concurrency: number };
  cache: { docs: number; clients: number };
}

const LOADS = ['sparse', 'dense', 'async', 'cache'] as const;
type Load = (typeof LOADS)[number];

/** VERSUS_LOADS=sparse,async narrows a run to some loads (e.g. to measure one change quickly). */
function loadsAsked(): Set<Load> {
  const asked = (process.env.VERSUS_LOADS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const a of asked) if (!(LOADS as readonly string[]).includes(a)) throw new Error(`VERSUS_LOADS: unknown load "${a}"; known: ${LOADS.join(', ')}`);
  return new Set(asked.length ? (asked as Load[]) : LOADS);
}

function plan(quick: boolean): Plan {
  const rounds = Math.max(3, Number(process.env.VERSUS_ROUNDS) || 3);
  // The service's JIT takes about a minute of load to settle (TurboFan still compiles after 30 s);
  // its steady state is what production runs in.
  const warm = Number(process.env.VERSUS_WARM_S) * 1000 || undefined;
  return quick
    ? { rounds, warmMs: warm ?? 5_000, sparse: { clients: 200, ms: 5_000 }, dense: { clients: 50, ms: 4_000 }, async: { jobs: 300, concurrency: 50 }, cache: { docs: 500, clients: 50 } }
    : { rounds, warmMs: warm ?? 45_000, sparse: { clients: 200, ms: 20_000 }, dense: { clients: 50, ms: 15_000 }, async: { jobs: 2_000, concurrency: 50 }, cache: { docs: 3_000, clients: 50 } };
}

/** One side's measurements in one round. */
interface Round {
  side: string;
  docs: number;
  failed: number;
  failures: string;
  ms: number;
  serviceCpuMs: number;
  postgresCpuMs: number;
  /** 1-minute load average at the end of the round. */
  load: number;
}

const perDoc = (r: Round, what: 'service' | 'postgres' | 'both') =>
  r.docs === 0 ? Number.NaN : (what === 'service' ? r.serviceCpuMs : what === 'postgres' ? r.postgresCpuMs : r.serviceCpuMs + r.postgresCpuMs) / r.docs;
const docsPerMinute = (r: Round) => (r.ms > 0 ? (r.docs * 60_000) / r.ms : Number.NaN);

function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function meters(side: Side) {
  const service = treeCpuMeter(side.servicePid);
  const postgres = treeCpuMeter(side.postgresPid);
  const started = performance.now();
  return (docs: number, failed: number, failures: string): Round => ({
    side: side.name,
    docs,
    failed,
    failures,
    ms: performance.now() - started,
    serviceCpuMs: service.read() ?? Number.NaN,
    postgresCpuMs: postgres.read() ?? Number.NaN,
    load: loadAverage()[0],
  });
}

function failureText(result: LoadResult): string {
  return result.summary.failures.map((g) => `${g.count}× ${g.status ?? '-'} ${g.errorCode ?? '-'}`).join(', ');
}

/** A closed loop of sync POST /ocr; both sides speak it (raw body, ?filename=). */
async function syncRound(ctx: ScenarioContext, side: Side, documents: DocumentProvider, load: { clients: number; ms: number }): Promise<Round> {
  const done = meters(side);
  const result = await runLoad({ url: side.url, mode: 'sync', concurrency: load.clients, durationMs: load.ms, documents, signal: ctx.signal, skipHealth: true });
  const s = result.summary;
  // Closed-loop wall time: from the first send to the last answer.
  const round = { ...done(s.ok, s.failed, failureText(result)), ms: s.durationMs };
  return round;
}

async function unfinishedJobs(side: Side): Promise<number> {
  return Number((await side.db.query(`SELECT count(*) AS n FROM jobs WHERE status IN ('queued', 'running')`)).rows[0].n);
}

async function failedJobs(side: Side): Promise<number> {
  return Number((await side.db.query(`SELECT count(*) AS n FROM jobs WHERE status = 'failed'`)).rows[0].n);
}

/** A burst of POST /ocr/async, measured until every job is final (read from the side's jobs table). */
async function asyncRound(ctx: ScenarioContext, side: Side, documents: DocumentProvider, load: Plan['async']): Promise<Round> {
  const failedBefore = await failedJobs(side);
  const submitter = new Submitter(side.url, load.concurrency);
  try {
    const done = meters(side);
    const subs = await submitter.burst(load.jobs, load.concurrency, documents, () => {}, ctx.signal);
    const deadline = Date.now() + 120_000;
    while ((await unfinishedJobs(side)) > 0) {
      if (Date.now() > deadline) throw new Error(`${side.name}: jobs still unfinished 120 s after the burst`);
      await sleep(100, ctx.signal);
    }
    const accepted = subs.filter((s) => s.jobId !== null).length;
    const failed = (await failedJobs(side)) - failedBefore;
    const refused = subs.length - accepted;
    const codes = [...new Set(subs.filter((s) => !s.jobId).map((s) => `${s.status ?? '-'} ${s.errorCode}`))].join(', ');
    return done(accepted - failed, failed + refused, [refused ? `${refused} refused (${codes})` : '', failed ? `${failed} jobs failed` : ''].filter(Boolean).join(', '));
  } finally {
    await submitter.close();
  }
}

/** The same document again and again: a cache hit each time after the first. */
async function cacheRound(ctx: ScenarioContext, side: Side, tag: string, load: Plan['cache']): Promise<Round> {
  const document = (await pngVariants(100, tag))(0);
  const documents: DocumentProvider = () => document;
  await runLoad({ url: side.url, mode: 'sync', concurrency: 1, docs: 1, documents, signal: ctx.signal, skipHealth: true });
  const done = meters(side);
  const result = await runLoad({ url: side.url, mode: 'sync', concurrency: load.clients, docs: load.docs, documents, signal: ctx.signal, skipHealth: true });
  const round = done(result.summary.ok, result.summary.failed, failureText(result));
  if (result.summary.cacheHits !== result.summary.ok) ctx.errors.push(`versus cache: ${result.summary.ok - result.summary.cacheHits} answers were not cache hits`);
  return { ...round, ms: result.summary.durationMs };
}

/** "service + PostgreSQL ms per doc (docs, rate, load)". */
function describe(r: Round): string {
  const cpu = `${perDoc(r, 'service').toFixed(2)} + ${perDoc(r, 'postgres').toFixed(2)} ms`;
  return `${cpu} (${r.docs} docs, ${Math.round(docsPerMinute(r)).toLocaleString('en-US')}/min, load ${r.load.toFixed(1)}${r.failed ? `, ${r.failed} failed: ${r.failures}` : ''})`;
}

/** Alternates the sides round by round (A B, B A, A B, ...), so a drift in the machine's load falls on both. */
async function alternate<T>(rounds: number, sides: Side[], run: (side: Side, round: number) => Promise<T>): Promise<Map<Side, T[]>> {
  const out = new Map<Side, T[]>(sides.map((s) => [s, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) out.get(side)!.push(await run(side, round));
  }
  return out;
}

interface Comparison {
  service: Round[];
  other: Round[];
}

/** The rows of one load: service CPU, PostgreSQL CPU and docs/min, each held against the other side's. */
function comparisonRows(kind: string, setup: string, c: Comparison, other: Side, targets: { cpu?: number; postgres?: number; docsPerMinute?: number }): BenchRow[] {
  const med = (rounds: Round[], f: (r: Round) => number) => median(rounds.map(f));
  const serviceFailed = c.service.reduce((n, r) => n + r.failed, 0);
  const otherFailed = c.other.reduce((n, r) => n + r.failed, 0);
  const otherDocs = c.other.reduce((n, r) => n + r.docs + r.failed, 0);
  const rounds = (f: (r: Round) => string) => `rounds: service ${c.service.map(f).join(' / ')}; ${short(other)} ${c.other.map(f).join(' / ')}`;
  const base = { p50Ms: null, p95Ms: null, failures: serviceFailed };
  const otherFailures = `${short(other)} failed ${otherFailed} of ${otherDocs}${otherFailed ? ` (${c.other.map((r) => r.failures).filter(Boolean).join('; ')})` : ''}`;
  const target = (ratio: number | undefined, direction: 'at most' | 'at least') => (ratio === undefined ? undefined : { ratio, direction });
  return [
    {
      scenario: `versus ${kind}: service CPU per doc`,
      setup,
      value: med(c.service, (r) => perDoc(r, 'service')),
      unit: 'ms',
      bound: med(c.other, (r) => perDoc(r, 'service')),
      boundNote: `${other.name}'s (its process tree)`,
      target: target(targets.cpu, 'at most'),
      ...base,
      notes: [rounds((r) => perDoc(r, 'service').toFixed(2))],
    },
    {
      scenario: `versus ${kind}: PostgreSQL CPU per doc`,
      setup,
      value: med(c.service, (r) => perDoc(r, 'postgres')),
      unit: 'ms',
      bound: med(c.other, (r) => perDoc(r, 'postgres')),
      boundNote: `${other.name}'s (its own server's process tree)`,
      target: target(targets.postgres, 'at most'),
      ...base,
      notes: [rounds((r) => perDoc(r, 'postgres').toFixed(2))],
    },
    {
      scenario: `versus ${kind}: docs/min`,
      setup,
      value: med(c.service, docsPerMinute),
      unit: 'docs/min',
      bound: med(c.other, docsPerMinute),
      boundNote: `${other.name}'s`,
      target: target(targets.docsPerMinute, 'at least'),
      ...base,
      notes: [rounds((r) => Math.round(docsPerMinute(r)).toLocaleString('en-US')), otherFailures, `load average ${rounds((r) => r.load.toFixed(1))}`],
    },
  ];
}

function short(side: Side): string {
  return side.kind === 'peer' ? 'peer' : 'other';
}

/** "K=V K=V" → an environment patch. */
function envList(text: string | undefined): Record<string, string> {
  return Object.fromEntries((text ?? '').split(/\s+/).filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

export const versus: Scenario = {
  name: 'versus',
  // Side by side with alternated rounds it takes minutes even when short; a measurement, not a check.
  notInQuickRun: true,
  timeoutMs: (quick) => (quick ? 480_000 : 1_800_000),
  async run(ctx) {
    // VERSUS_AGAINST=<checkout> measures a change alone: this checkout against another (or ".",
    // this one again, with VERSUS_AGAINST_ENV) instead of against the peer.
    const against = process.env.VERSUS_AGAINST ? path.resolve(process.env.VERSUS_AGAINST) : undefined;
    const found = against ? null : findPeer();
    if (found && 'reason' in found) {
      ctx.log(`skipped: the FastAPI peer cannot run here: ${found.reason}`);
      return [{ scenario: 'versus', setup: 'FastAPI peer beside the service', value: null, unit: '-', bound: null, p50Ms: null, p95Ms: null, failures: 0, notes: [`skipped: ${found.reason}`] }];
    }
    const p = plan(ctx.quick);
    const loads = loadsAsked();
    await ctx.emulator.configure({ latencyMs: 0, tps: 0 });
    await ctx.emulator.reset();
    const service = await startServiceSide(ctx, { TEXTRACT_TPS, ...envList(process.env.VERSUS_ENV) });
    const other = against
      ? await startServiceSide(ctx, { TEXTRACT_TPS, ...envList(process.env.VERSUS_AGAINST_ENV) }, { root: against })
      : await startPeerSide(ctx, (found as { dir: string }).dir);
    ctx.log(`${service.name} ${service.url} (${service.description}); ${other.name} ${other.url} (${other.description})`);
    const sides = [service, other];
    const tag = (side: Side, kind: string, round: number) => salt(ctx, `${side === service ? 'S' : 'O'}${kind}${round}`);
    const dtatSides = sides.filter((s) => s.kind === 'service');

    // Warm-up, not measured: JIT, connection pools, the emulator's caches.
    for (const side of sides) {
      await runLoad({ url: side.url, mode: 'sync', concurrency: p.sparse.clients, durationMs: p.warmMs, documents: await pngVariants(100, tag(side, 'W', 0)), signal: ctx.signal, skipHealth: true });
      await runLoad({ url: side.url, mode: 'sync', concurrency: p.dense.clients, durationMs: p.warmMs / 2, documents: await densePngVariants(100, tag(side, 'WD', 0)), signal: ctx.signal, skipHealth: true });
    }
    ctx.log(`warmed up; load average ${loadAverage().join(' ')}`);

    const none = new Map<Side, Round[]>();
    const sparse = !loads.has('sparse') ? none : await alternate(p.rounds, sides, async (side, round) => {
      const r = await syncRound(ctx, side, await pngVariants(100, tag(side, 'S', round)), p.sparse);
      ctx.log(`sparse ${r.side}: ${describe(r)}`);
      return r;
    });
    const dense = !loads.has('dense') ? none : await alternate(p.rounds, sides, async (side, round) => {
      const r = await syncRound(ctx, side, await densePngVariants(100, tag(side, 'D', round)), p.dense);
      ctx.log(`dense ${r.side}: ${describe(r)}`);
      return r;
    });
    const queued = !loads.has('async') ? none : await alternate(p.rounds, sides, async (side, round) => {
      const r = await asyncRound(ctx, side, await pngVariants(100, tag(side, 'A', round)), p.async);
      ctx.log(`async ${r.side}: ${describe(r)}`);
      return r;
    });
    // The peer has no result cache: a repeated document is a full call there.
    const cached = !loads.has('cache') ? none : await alternate(p.rounds, dtatSides, async (side, round) => {
      const r = await cacheRound(ctx, side, tag(side, 'C', round), p.cache);
      ctx.log(`cache hit ${r.side}: ${describe(r)}`);
      return r;
    });
    // Idle memory twice: 5 s after the load, and 30 s after, once V8's memory reducer (which
    // starts ~8 s after the last full collection of an idle process) has shrunk the heaps.
    await sleep(5_000, ctx.signal);
    const idle = memorySum(service.workerPids());
    const otherIdle = memorySum(other.workerPids());
    await sleep(25_000, ctx.signal);
    const settled = memorySum(service.workerPids());
    const otherSettled = memorySum(other.workerPids());
    ctx.log(`idle PSS after 5 s / 30 s: ${service.name} ${idle.pssMb?.toFixed(0)} / ${settled.pssMb?.toFixed(0)} MB, ${other.name} ${otherIdle.pssMb?.toFixed(0)} / ${otherSettled.pssMb?.toFixed(0)} MB`);

    for (const [name, result] of [['sparse', sparse], ['dense', dense], ['async', queued], ['cache', cached]] as const) {
      for (const r of result.get(service) ?? []) if (r.failed > 0) ctx.errors.push(`versus ${name}: ${r.failed} failed (${r.failures})`);
    }
    const all = (m: Map<Side, Round[]>) => Object.fromEntries([...m].map(([side, rounds]) => [side.name, rounds]));
    ctx.details.rounds = { sparse: all(sparse), dense: all(dense), async: all(queued), cached: all(cached) };
    ctx.details.memory = { [service.name]: { after5s: idle, after30s: settled }, [other.name]: { after5s: otherIdle, after30s: otherSettled } };

    const both = (m: Map<Side, Round[]>): Comparison => ({ service: m.get(service)!, other: m.get(other)! });
    // The issue's bars are against the peer; against another checkout the rows only compare.
    const peer = other.kind === 'peer';
    const common = `4 workers each (service: ${service.description}; ${other.name}: ${other.description}); Textract emulator at 0 ms; each on its own PostgreSQL; ${p.rounds} alternated rounds, medians`;
    const syncServiceAndDb = median((sparse.get(service) ?? []).map((r) => perDoc(r, 'both')));
    const asyncService = queued.get(service) ?? [];
    const asyncOther = queued.get(other) ?? [];
    const cacheOther = cached.get(other);
    const rows: BenchRow[] = [];
    if (loads.has('sparse')) {
      rows.push(...comparisonRows('sparse', `${p.sparse.clients} sync clients × ${p.sparse.ms / 1000} s, unique 100 KB PNGs; ${common}`, both(sparse), other, {
        cpu: peer ? TARGETS.sparseCpu : undefined,
        postgres: peer ? 1 : undefined,
        docsPerMinute: peer ? TARGETS.sparseDocsPerMinute : undefined,
      }));
    }
    if (loads.has('dense')) {
      rows.push(...comparisonRows('dense', `${p.dense.clients} sync clients × ${p.dense.ms / 1000} s, unique PNGs read as ~450 blocks (~200 KB); ${common}`, both(dense), other, {
        cpu: peer ? TARGETS.denseCpu : undefined,
      }));
    }
    if (loads.has('async')) {
      rows.push({
        scenario: 'versus async: service + PostgreSQL CPU per doc',
        setup: `${p.async.jobs} × POST /ocr/async (100 KB PNG, ${p.async.concurrency} at a time), until every job is final; ${common}`,
        value: median(asyncService.map((r) => perDoc(r, 'both'))),
        unit: 'ms',
        bound: syncServiceAndDb,
        boundNote: "the service's own sparse sync figure (service + PostgreSQL)",
        target: { ratio: TARGETS.asyncToSync, direction: 'at most' },
        p50Ms: null,
        p95Ms: null,
        failures: asyncService.reduce((n, r) => n + r.failed, 0),
        notes: [
          `rounds: ${asyncService.map((r) => describe(r)).join(' / ')}`,
          `${other.name}${peer ? ' (jobs in process memory, lost with the process)' : ''}: ${median(asyncOther.map((r) => perDoc(r, 'both'))).toFixed(2)} ms; rounds ${asyncOther.map((r) => describe(r)).join(' / ')}`,
        ],
      });
    }
    if (loads.has('cache')) {
      rows.push({
        scenario: 'versus cache hit: service CPU per request',
        setup: `the same 100 KB PNG ${p.cache.docs} times, ${p.cache.clients} clients${peer ? ' (the peer has no cache)' : ''}`,
        value: median((cached.get(service) ?? []).map((r) => perDoc(r, 'service'))),
        unit: 'ms',
        bound: TARGETS.cacheHitMs,
        boundNote: "the issue's bar",
        target: { ratio: 1, direction: 'at most' },
        p50Ms: null,
        p95Ms: null,
        failures: (cached.get(service) ?? []).reduce((n, r) => n + r.failed, 0),
        notes: [
          `rounds: ${(cached.get(service) ?? []).map((r) => describe(r)).join(' / ')}`,
          ...(cacheOther ? [`${other.name}: ${median(cacheOther.map((r) => perDoc(r, 'service'))).toFixed(2)} ms; rounds ${cacheOther.map((r) => describe(r)).join(' / ')}`] : []),
        ],
      });
    }
    rows.push({
        scenario: 'versus idle memory after the load',
        setup: '4 workers, 5 s after the last request',
        value: idle.pssMb,
        unit: 'MB PSS',
        bound: TARGETS.idlePssMb,
        boundNote: 'target for 4 idle workers',
        target: { ratio: 1, direction: 'at most' },
        p50Ms: null,
        p95Ms: null,
        failures: 0,
        notes: [
          `RSS ${idle.rssMb?.toFixed(0)} MB`,
          `30 s after: ${settled.pssMb?.toFixed(0)} MB PSS, ${settled.rssMb?.toFixed(0)} MB RSS`,
          `${other.name}'s 4 workers: ${otherIdle.pssMb?.toFixed(0)} MB PSS (${otherSettled.pssMb?.toFixed(0)} MB 30 s after), ${otherIdle.rssMb?.toFixed(0)} MB RSS`,
          'PSS shares the node binary among every node process on the machine, so it reads lower beside other node processes',
        ],
    });
    return rows;
  },
};
