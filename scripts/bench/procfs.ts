// CPU time and memory of other processes (the workers, the emulator), read from /proc. Linux only;
// elsewhere every reading is null and the table says "-".
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on every usual kernel). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** The fields of /proc/<pid>/stat after the command name (index 0 is the state), or null when the process is gone. */
export function statFields(pid: number): string[] | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** utime + stime of one process in ms, or null when it is gone. */
export function cpuMs(pid: number): number | null {
  const fields = statFields(pid);
  if (!fields) return null;
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return ((utime + stime) * 1000) / clockTicksPerSecond();
}

/** Summed CPU ms of several processes; null when any of them cannot be read. */
export function totalCpuMs(pids: readonly number[]): number | null {
  let sum = 0;
  for (const pid of pids) {
    const ms = cpuMs(pid);
    if (ms === null) return null;
    sum += ms;
  }
  return sum;
}

export interface MemoryReading {
  pid: number;
  rssMb: number | null;
  /** Proportional set size: shared pages (node's code, libraries) divided among the processes sharing them. */
  pssMb: number | null;
}

function kbField(text: string, name: string): number | null {
  const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
  return match ? Number(match[1]) / 1024 : null;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function memory(pid: number): MemoryReading {
  const status = readOrNull(`/proc/${pid}/status`);
  const smaps = readOrNull(`/proc/${pid}/smaps_rollup`);
  return { pid, rssMb: status ? kbField(status, 'VmRSS') : null, pssMb: smaps ? kbField(smaps, 'Pss') : null };
}

export interface MemorySum {
  perWorker: MemoryReading[];
  rssMb: number | null;
  pssMb: number | null;
}

export function memorySum(pids: readonly number[]): MemorySum {
  const perWorker = pids.map(memory);
  const add = (key: 'rssMb' | 'pssMb') =>
    perWorker.every((m) => m[key] !== null) ? perWorker.reduce((sum, m) => sum + (m[key] as number), 0) : null;
  return { perWorker, rssMb: add('rssMb'), pssMb: add('pssMb') };
}

/** CPU ms the given processes used between start and read(); null when one of them went away. */
export function cpuMeter(pids: readonly number[]): { read(): number | null } {
  const before = totalCpuMs(pids);
  return {
    read() {
      const after = totalCpuMs(pids);
      return before === null || after === null ? null : after - before;
    },
  };
}

/** The processes and their child processes (a local engine reads pages in one), from /proc. */
export function withChildren(pids: readonly number[]): number[] {
  const all = new Set(pids);
  for (const pid of pids) {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      const children = readOrNull(`/proc/${pid}/task/${task}/children`);
      for (const child of children?.trim().split(/\s+/).filter(Boolean) ?? []) all.add(Number(child));
    }
  }
  return [...all];
}
