// Tests start the real launcher (`npm start`'s entry) exactly as the benchmark does.
export { freePort, startService, type RunningService } from '../../scripts/lib/launch-service.ts';
