// The two sides of the `versus` scenario: DTAT-OCR and the FastAPI peer, each with a PostgreSQL
// server of its own (so each side's database CPU is that server's process tree), both in front of
// the bench's one Textract emulator.
import pg from 'pg';
import { request } from 'undici';
import { startService } from '../lib/launch-service.ts';
import { trackPid } from './cleanup.ts';
import type { ScenarioContext } from './context.ts';
import { type DatabaseServer, startDatabaseServer } from './database.ts';
import { startPeer } from './peer.ts';

export interface Side {
  name: string;
  /** The FastAPI peer, or a DTAT-OCR checkout (which has a result cache and durable jobs). */
  kind: 'service' | 'peer';
  url: string;
  /** Root of the serving processes' tree (the launcher; uvicorn's main process). */
  servicePid: number;
  /** The postmaster of this side's own PostgreSQL server. */
  postgresPid: number;
  workerPids(): number[];
  /** A connection to this side's database, for counting unfinished jobs. */
  db: pg.Client;
  /** One line about how it runs (adapter, workers). */
  description: string;
}

/** Where each side's server lives: .data/pg-versus-<key>, from its port on. */
const SERVERS = { service: 54379, peer: 54389, against: 54399 } as const;

/** A fresh database on a PostgreSQL server started for this side alone. */
async function ownDatabase(ctx: ScenarioContext, side: keyof typeof SERVERS): Promise<{ server: DatabaseServer; url: string; postgresPid: number }> {
  const server = await startDatabaseServer({ folder: `pg-versus-${side}`, port: SERVERS[side] });
  ctx.cleanup.defer(`stop the ${side}'s PostgreSQL`, server.stop);
  const name = `versus_${side}`;
  const first = await server.create(name);
  // Left behind by an interrupted run: start from an empty database.
  await first.drop();
  const db = await server.create(name);
  ctx.cleanup.defer(`drop ${name}`, db.drop);
  const postgresPid = await server.pid();
  if (postgresPid === null) throw new Error(`cannot find the process of the ${side}'s PostgreSQL server`);
  return { server, url: db.url, postgresPid };
}

async function connect(ctx: ScenarioContext, url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'bench-versus' });
  await client.connect();
  ctx.cleanup.defer('close the bench connection', () => client.end());
  return client;
}

/** DTAT-OCR from this checkout, or (`against`) from another one, to measure a change alone. */
export async function startServiceSide(ctx: ScenarioContext, env: Record<string, string>, against?: { root: string }): Promise<Side> {
  const { url: databaseUrl, postgresPid } = await ownDatabase(ctx, against ? 'against' : 'service');
  const service = await startService({
    databaseUrl,
    root: against?.root,
    workers: 4,
    env: { OCR_ENGINE: 'textract', TEXTRACT_ENDPOINT: ctx.emulator.url, LOG_LEVEL: 'info', ...env },
    trackPid,
  });
  const name = against ? `DTAT-OCR at ${against.root}` : 'DTAT-OCR';
  ctx.cleanup.defer(`stop ${name}`, async () => {
    const code = await service.stop();
    if (service.restarts() > 0) ctx.errors.push(`versus: ${service.restarts()} worker process(es) died and were replaced:\n${service.logTail()}`);
    if (code !== 0) ctx.errors.push(`versus: the launcher exited with ${code}:\n${service.logTail()}`);
  });
  const health = (await (await request(`${service.url}/health`)).body.json()) as { adapter?: string };
  return {
    name,
    kind: 'service',
    url: service.url,
    servicePid: service.launcher.pid!,
    postgresPid,
    workerPids: () => service.workerPids(),
    db: await connect(ctx, databaseUrl),
    description: [
      `4 workers, ${health.adapter ?? '?'} adapter${env.HTTP_ADAPTER || process.env.HTTP_ADAPTER ? '' : ' (auto)'}`,
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    ].join(', '),
  };
}

export async function startPeerSide(ctx: ScenarioContext, dir: string): Promise<Side> {
  const { url: databaseUrl, postgresPid } = await ownDatabase(ctx, 'peer');
  const peer = await startPeer({ dir, databaseUrl, textractEndpoint: ctx.emulator.url, workers: 4 });
  ctx.cleanup.defer('stop the FastAPI peer', peer.stop);
  return {
    name: 'FastAPI peer',
    kind: 'peer',
    url: peer.url,
    servicePid: peer.pid,
    postgresPid,
    workerPids: peer.workerPids,
    db: await connect(ctx, databaseUrl),
    description: 'uvicorn --workers 4, uvloop, httptools, boto3 in a 50-thread pool, asyncpg',
  };
}
