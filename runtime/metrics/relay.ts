import type { ChildProcess } from 'node:child_process';

// The launcher's part of GET /metrics. Workers are forked children, not node:cluster workers, so
// prom-client's cluster aggregation does not apply; the IPC channel carries the same exchange. A
// worker serving a scrape asks the launcher (gather); the launcher asks every ready worker for its
// registry as JSON (collect) and hands the reports back (gathered); the asking worker adds them
// up. A worker that does not answer in time is left out and named, so a stuck process slows a
// scrape by at most COLLECT_TIMEOUT_MS and shows up in the answer instead of hiding it.

export const COLLECT_TIMEOUT_MS = 1_500;

export interface WorkerReport {
  workerId: string;
  pid: number;
  metrics: unknown[];
}

/** What the launcher adds to the workers' reports: the supervision figures only it knows. */
export interface Gathered {
  reports: WorkerReport[];
  /** Ready workers that did not answer in time (their pids). */
  missing: number[];
  configured: number;
  running: number;
  restarts: number;
}

export type MetricsMessage =
  | { type: 'metrics:gather'; id: number }
  | { type: 'metrics:collect'; id: number }
  | { type: 'metrics:collected'; id: number; report: WorkerReport }
  | { type: 'metrics:gathered'; id: number; gathered: Gathered };

interface Pending {
  asker: ChildProcess;
  askerId: number;
  waiting: Map<number, ChildProcess>;
  reports: WorkerReport[];
  timer: NodeJS.Timeout;
}

export interface MetricsRelay {
  /** Every message a worker sends; returns true when it was the relay's. */
  handle(child: ChildProcess, message: unknown): boolean;
  /** A worker exited; `replaced` when the launcher starts another in its place. */
  exited(child: ChildProcess, replaced: boolean): void;
}

export function createMetricsRelay(configured: number, timeoutMs = COLLECT_TIMEOUT_MS): MetricsRelay {
  const ready = new Set<ChildProcess>();
  const pending = new Map<number, Pending>();
  let restarts = 0;
  let nextId = 1;

  const send = (child: ChildProcess, message: MetricsMessage) => {
    // A worker may exit between being asked and the answer; its channel is then closed.
    if (child.connected) child.send(message, (err) => void err);
  };

  const finish = (id: number) => {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    clearTimeout(p.timer);
    const missing = [...p.waiting.values()].flatMap((c) => (c.pid ? [c.pid] : []));
    send(p.asker, { type: 'metrics:gathered', id: p.askerId, gathered: { reports: p.reports, missing, configured, running: ready.size, restarts } });
  };

  return {
    handle(child, message) {
      const m = message as { type?: string } | null;
      if (m?.type === 'ready') {
        ready.add(child);
        return false; // the launcher counts ready workers too
      }
      if (m?.type === 'metrics:gather') {
        const id = nextId++;
        const waiting = new Map([...ready].filter((c) => c.connected).map((c) => [c.pid ?? 0, c]));
        pending.set(id, { asker: child, askerId: (m as { id: number }).id, waiting, reports: [], timer: setTimeout(() => finish(id), timeoutMs) });
        for (const worker of waiting.values()) send(worker, { type: 'metrics:collect', id });
        if (waiting.size === 0) finish(id);
        return true;
      }
      if (m?.type === 'metrics:collected') {
        const { id, report } = m as Extract<MetricsMessage, { type: 'metrics:collected' }>;
        const p = pending.get(id);
        if (p && p.waiting.delete(child.pid ?? 0)) {
          p.reports.push(report);
          if (p.waiting.size === 0) finish(id);
        }
        return true;
      }
      return false;
    },
    exited(child, replaced) {
      ready.delete(child);
      if (replaced) restarts++;
      // A scrape waiting on this worker need not wait out the timeout.
      for (const [id, p] of pending) {
        if (p.waiting.delete(child.pid ?? 0) && p.waiting.size === 0) finish(id);
      }
    },
  };
}
