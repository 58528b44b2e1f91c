// Running from source (tsx) only: Node 20 does not pass `--import tsx` on to worker threads, so
// the thread registers tsx itself before loading its TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./thread.ts');
