import { registry } from './instruments.ts';
import { COLLECT_TIMEOUT_MS, type Gathered, type MetricsMessage, type WorkerReport } from './relay.ts';

// The worker's part of GET /metrics (see relay.ts for the exchange): it answers the launcher's
// requests for its registry, and when it serves a scrape, it asks the launcher for everyone's.

let installed = false;
let nextId = 1;
const asks = new Map<number, (gathered: Gathered) => void>();

async function ownReport(workerId: string): Promise<WorkerReport> {
  return { workerId, pid: process.pid, metrics: await registry.getMetricsAsJSON() };
}

/** Starts answering the launcher; call once the worker's metrics are set up. */
export function answerMetricsRequests(workerId: string): void {
  if (installed || !process.send) return;
  installed = true;
  process.on('message', (message: MetricsMessage) => {
    if (message?.type === 'metrics:collect') {
      void ownReport(workerId).then((report) => process.send?.({ type: 'metrics:collected', id: message.id, report } satisfies MetricsMessage));
    } else if (message?.type === 'metrics:gathered') {
      asks.get(message.id)?.(message.gathered);
      asks.delete(message.id);
    }
  });
}

/**
 * Every worker's report, this one's included. Without a launcher (a worker started on its own),
 * or when the launcher does not answer, this process's own report stands for the service.
 */
export async function gatherReports(workerId: string): Promise<Gathered> {
  const alone = async (): Promise<Gathered> => ({ reports: [await ownReport(workerId)], missing: [], configured: 1, running: 1, restarts: 0 });
  if (!installed || !process.send || !process.connected) return alone();
  const id = nextId++;
  const answer = new Promise<Gathered | null>((resolve) => {
    const timer = setTimeout(() => {
      asks.delete(id);
      resolve(null);
    }, COLLECT_TIMEOUT_MS + 1_000);
    asks.set(id, (gathered) => {
      clearTimeout(timer);
      resolve(gathered);
    });
  });
  process.send({ type: 'metrics:gather', id } satisfies MetricsMessage);
  return (await answer) ?? alone();
}
