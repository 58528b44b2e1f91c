// The scenarios in the order they run (and appear in the table).
import type { ScenarioName } from './args.ts';
import type { Scenario } from './context.ts';
import { adapters } from './scenario-adapters.ts';
import { asyncBurst, pdf20 } from './scenario-async.ts';
import { boomi } from './scenario-boomi.ts';
import { expense, searchablePdf } from './scenario-functions.ts';
import { localAccuracy } from './scenario-local-accuracy.ts';
import { localEngine } from './scenario-local-engine.ts';
import { overhead } from './scenario-overhead.ts';
import { baseline, sync200, sync50 } from './scenario-sync.ts';
import { versus } from './scenario-versus.ts';

export const ALL_SCENARIOS: Scenario[] = [baseline, sync50, sync200, asyncBurst, boomi, overhead, pdf20, localEngine, localAccuracy, expense, searchablePdf, adapters, versus];

/** The scenarios that answer the names asked for; null asks for all (a quick run: all but the long comparisons). */
export function selectScenarios(only: readonly ScenarioName[] | null, quick = false): Scenario[] {
  if (only === null) return ALL_SCENARIOS.filter((s) => !(quick && s.notInQuickRun));
  return ALL_SCENARIOS.filter((s) => only.includes(s.name) || (s.covers ?? []).some((c) => only.includes(c)));
}
