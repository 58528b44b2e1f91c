// Everything the bench starts is registered here the moment it exists, so an error, a timeout or
// Ctrl-C stops it: services, the emulator, the embedded PostgreSQL, scenario databases.

const TASK_TIMEOUT_MS = 60_000;

interface Task {
  name: string;
  run: () => Promise<void>;
}

/** Last-resort kill list for a synchronous process exit, when no async cleanup can run. */
const livePids = new Set<number>();

export function trackPid(pid: number | undefined): () => void {
  if (pid === undefined) return () => {};
  livePids.add(pid);
  return () => livePids.delete(pid);
}

export function killTrackedPids(): void {
  for (const pid of livePids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  livePids.clear();
}

/** Tasks run last-in first-out: a database is dropped only after the service using it stopped. */
export class Cleanup {
  private tasks: Task[] = [];

  defer(name: string, run: () => Promise<void>): () => void {
    const task = { name, run };
    this.tasks.push(task);
    return () => {
      this.tasks = this.tasks.filter((t) => t !== task);
    };
  }

  /** Runs every task once, each bounded in time; returns the failures, never throws. */
  async run(): Promise<string[]> {
    const errors: string[] = [];
    while (this.tasks.length > 0) {
      const task = this.tasks.pop()!;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          task.run(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`did not finish in ${TASK_TIMEOUT_MS / 1000} s`)), TASK_TIMEOUT_MS);
          }),
        ]);
      } catch (err) {
        errors.push(`${task.name}: ${(err as Error)?.message ?? String(err)}`);
      } finally {
        clearTimeout(timer);
      }
    }
    return errors;
  }
}
