// CPU of a whole process tree from /proc: a service's launcher and workers, uvicorn and its
// workers, a PostgreSQL server and its backends. Processes come and go during a run (PostgreSQL
// backends of a closed connection, a replaced worker), and a child's CPU moves into its parent's
// cutime/cstime once the parent has reaped it, so the tree's total is the sum of
// utime + stime + cutime + cstime over the processes alive at the moment of reading.
import { readdirSync, readFileSync } from 'node:fs';
import { clockTicksPerSecond, statFields } from './procfs.ts';

interface Stat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks. */
  ticks: number;
}

function readStat(pid: number): Stat | null {
  const fields = statFields(pid);
  if (!fields) return null;
  const n = (i: number) => Number(fields[i]);
  return { pid, ppid: n(1), ticks: n(11) + n(12) + n(13) + n(14) };
}

function allStats(): Stat[] {
  const stats: Stat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) stats.push(stat);
  }
  return stats;
}

/** The pids of `root` and every descendant alive now. */
export function treePids(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const s of allStats()) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** CPU ms the tree under `root` has used since it started (reaped children included); null when root is gone. */
export function treeCpuMs(root: number): number | null {
  const stats = allStats();
  const byPid = new Map(stats.map((s) => [s.pid, s]));
  if (!byPid.has(root)) return null;
  const children = new Map<number, Stat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  let ticks = 0;
  const stack = [byPid.get(root)!];
  while (stack.length > 0) {
    const s = stack.pop()!;
    ticks += s.ticks;
    stack.push(...(children.get(s.pid) ?? []));
  }
  return (ticks * 1000) / clockTicksPerSecond();
}

/** CPU ms a tree used between now and read(); null when its root went away. */
export function treeCpuMeter(root: number): { read(): number | null } {
  const before = treeCpuMs(root);
  return {
    read() {
      const after = treeCpuMs(root);
      return before === null || after === null ? null : after - before;
    },
  };
}

/** The 1-, 5- and 15-minute load averages. */
export function loadAverage(): [number, number, number] {
  const [a, b, c] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
  return [a!, b!, c!];
}
