import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log.ts';

// A queued job's bytes, left on this machine for whichever of its processes claims the job.
//
// Every process fetches the oldest jobs first, so most jobs are claimed by a process other than
// the one that accepted them (two in three under a steady async load of four processes), and
// without this that claim reads the document back from PostgreSQL as hex: for 100 KB about
// 0.5 ms of the server's CPU and as much of the worker's (measured). The database keeps the copy
// that counts: a claim that finds no file here (another machine's job, a retry, a file past its
// age or a spool that is off) reads the bytes from PostgreSQL as before.
//
// Files are written before the job's statement commits (so every claim on this machine finds
// them), atomically (a temporary name, then a rename) and framed (magic and length), so a
// truncated or foreign file is never taken for a document. The folder must be this user's alone:
// documents are private.

export interface JobSpool {
  /** Leaves a job's bytes for its claim; false when they do not fit or cannot be written. */
  put(jobId: string, bytes: Buffer): boolean;
  /** The bytes left for a job, once (the file goes); undefined when there are none. */
  take(jobId: string): Buffer | undefined;
  /** Removes what was left for a job that was not created after all. */
  drop(jobId: string): void;
  /** Bytes this process has left and not yet seen taken or expired. */
  held(): number;
  /** Removes files past their age now: this process's, and every process's in a full sweep. */
  sweep(full?: boolean): void;
  close(): void;
}

export interface SpoolOptions {
  dir: string;
  /** Bytes one process may have waiting in the folder. */
  maxBytes: number;
  /** A file older than this is removed; its job's claim reads the database. */
  ttlMs: number;
  log: Logger;
  /** How often this process looks at its own files (every tenth look sweeps the whole folder); 0: never. */
  sweepMs?: number;
  now?: () => number;
}

// A burst at the account's quota can keep a job queued for minutes; one older than this is read
// from the database. Each process looks at its own files every few seconds (files another process
// took stop counting against its limit) and at the whole folder every ten looks.
export const SPOOL_TTL_MS = 5 * 60_000;
export const SPOOL_SWEEP_MS = 5_000;

const MAGIC = 0x44545331; // "DTS1"
const HEADER = 8; // magic, then the length as a 32-bit unsigned integer: documents are far smaller
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opens the spool folder, or returns null (and says why) when it cannot be this user's alone. */
export function openJobSpool(options: SpoolOptions): JobSpool | null {
  const { dir, maxBytes, ttlMs, log } = options;
  const now = options.now ?? Date.now;
  if (!privateFolder(dir, log)) return null;
  const file = (jobId: string) => path.join(dir, jobId);
  const mine = new Map<string, { size: number; at: number }>();
  let held = 0;
  let warned = false;
  const forget = (jobId: string) => {
    const entry = mine.get(jobId);
    if (!entry) return;
    held -= entry.size;
    mine.delete(jobId);
  };
  const unlink = (name: string) => {
    try {
      fs.unlinkSync(name);
    } catch {
      // Taken or swept by another process meanwhile.
    }
  };

  const spool: JobSpool = {
    put(jobId, bytes) {
      if (!JOB_ID.test(jobId) || held + bytes.length > maxBytes || bytes.length > 0xffffffff) return false;
      const header = Buffer.allocUnsafe(HEADER);
      header.writeUInt32BE(MAGIC, 0);
      header.writeUInt32BE(bytes.length, 4);
      const temporary = `${file(jobId)}.${process.pid}.tmp`;
      try {
        const fd = fs.openSync(temporary, 'wx', 0o600);
        let written: number;
        try {
          written = fs.writevSync(fd, [header, bytes]);
        } finally {
          fs.closeSync(fd);
        }
        if (written !== HEADER + bytes.length) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
        fs.renameSync(temporary, file(jobId));
      } catch (err) {
        unlink(temporary);
        // Once per process: a full folder (a container's 64 MB /dev/shm) fails every write alike.
        if (!warned) log.warn({ err, dir }, 'could not leave a job\'s bytes in the spool folder; claims read them from the database');
        warned = true;
        return false;
      }
      mine.set(jobId, { size: bytes.length, at: now() });
      held += bytes.length;
      return true;
    },
    take(jobId) {
      if (!JOB_ID.test(jobId)) return undefined;
      let framed: Buffer;
      try {
        framed = fs.readFileSync(file(jobId));
      } catch {
        return undefined;
      }
      unlink(file(jobId));
      forget(jobId);
      if (framed.length < HEADER || framed.readUInt32BE(0) !== MAGIC || framed.readUInt32BE(4) !== framed.length - HEADER) return undefined;
      return framed.subarray(HEADER);
    },
    drop(jobId) {
      if (!JOB_ID.test(jobId)) return;
      unlink(file(jobId));
      forget(jobId);
    },
    held: () => held,
    sweep(full = false) {
      const oldest = now() - ttlMs;
      for (const [jobId, entry] of mine) {
        if (entry.at <= oldest) {
          unlink(file(jobId));
          forget(jobId);
        } else if (!fs.existsSync(file(jobId))) forget(jobId); // another process took it
      }
      if (!full) return;
      // Files of processes that stopped without taking or sweeping them.
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch {
        return;
      }
      for (const name of names) {
        try {
          if (fs.statSync(path.join(dir, name)).mtimeMs <= oldest) unlink(path.join(dir, name));
        } catch {
          // Gone meanwhile.
        }
      }
    },
    close() {
      clearInterval(timer);
    },
  };

  spool.sweep(true);
  let looks = 0;
  const timer = options.sweepMs ? setInterval(() => spool.sweep(++looks % 10 === 0), options.sweepMs) : undefined;
  timer?.unref();
  return spool;
}

function privateFolder(dir: string, log: Logger): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = fs.lstatSync(dir);
    const uid = process.getuid?.();
    if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) {
      log.warn({ dir }, 'the job spool folder is not a folder of this user; queued jobs read their bytes from the database');
      return false;
    }
    if ((stat.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
    return true;
  } catch (err) {
    log.warn({ err, dir }, 'no job spool folder; queued jobs read their bytes from the database');
    return false;
  }
}
