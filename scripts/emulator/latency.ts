import { gaussian, type Random } from './random.ts';

export type LatencyDist = 'fixed' | 'uniform' | 'normal' | 'lognormal';
export const LATENCY_DISTS: readonly LatencyDist[] = ['fixed', 'uniform', 'normal', 'lognormal'];

export interface LatencyModel {
  dist: LatencyDist;
  meanMs: number;
  /** Half-width for uniform, standard deviation for normal and lognormal; defaults to meanMs / 4. */
  spreadMs?: number;
}

/** One latency in ms, never negative. Real Textract latency is right-skewed, hence lognormal. */
export function sampleLatency(model: LatencyModel, random: Random): number {
  const mean = Math.max(0, model.meanMs);
  const spread = Math.max(0, model.spreadMs ?? mean / 4);
  if (mean === 0 && model.dist !== 'uniform') return 0;
  switch (model.dist) {
    case 'fixed':
      return mean;
    case 'uniform':
      return Math.max(0, mean - spread + random() * 2 * spread);
    case 'normal':
      return Math.max(0, mean + spread * gaussian(random));
    case 'lognormal': {
      // Parameters chosen so the distribution's own mean and standard deviation are meanMs and spreadMs.
      const sigma2 = Math.log(1 + (spread / mean) ** 2);
      const mu = Math.log(mean) - sigma2 / 2;
      return Math.exp(mu + Math.sqrt(sigma2) * gaussian(random));
    }
  }
}
