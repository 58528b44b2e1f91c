import { after, before } from 'node:test';
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from '../../scripts/emulator/server.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { startService, type RunningService } from './service.ts';

export interface EmulatedService {
  db: TestDatabase;
  emulator: EmulatorHandle;
  service: RunningService;
  /** The service's URL for a path. */
  url(path: string): string;
}

/**
 * The set-up most end-to-end suites share: a database of their own, the Textract emulator, and the
 * service pointed at it, started before the suite's tests and stopped after them. Call it inside
 * a describe(); the fields are there once the tests run.
 */
export function emulatedService(options: { emulator?: EmulatorOptions; workers?: number; env?: Record<string, string> } = {}): EmulatedService {
  const ctx = { url: (path: string) => `${ctx.service.url}${path}` } as EmulatedService;
  before(async () => {
    ctx.db = await createTestDatabase();
    ctx.emulator = await startEmulator({ latencyMs: 10, ...options.emulator });
    ctx.service = await startService({
      databaseUrl: ctx.db.url,
      workers: options.workers ?? 2,
      env: { TEXTRACT_ENDPOINT: ctx.emulator.url, TEXTRACT_TPS: '0', ...options.env },
    });
  });
  after(async () => {
    await ctx.service?.stop();
    await ctx.emulator?.close();
    await ctx.db?.drop();
  });
  return ctx;
}
