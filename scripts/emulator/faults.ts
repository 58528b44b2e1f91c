import type { Random } from './random.ts';

export type FaultType = 'InternalServerError' | 'ThrottlingException';

/** Decides, call by call, whether to inject a server fault; half of the faults are each type. */
export function drawFault(failRate: number, random: Random): FaultType | null {
  if (!(failRate > 0)) return null;
  if (random() >= failRate) return null;
  return random() < 0.5 ? 'InternalServerError' : 'ThrottlingException';
}

/** ASCII markers tests put in a document (PNG tEXt chunk, PDF comment) to force an outcome. */
export const MARKERS = {
  badDocument: 'DTAT-EMULATOR:BAD_DOCUMENT',
  internalError: 'DTAT-EMULATOR:INTERNAL_ERROR',
  throttle: 'DTAT-EMULATOR:THROTTLE',
  /** An image read as a full page of small print (~450 blocks) instead of a short one. */
  dense: 'DTAT-EMULATOR:DENSE',
} as const;

export interface MarkerHits {
  badDocument: boolean;
  fault: FaultType | null;
  dense: boolean;
}

export function findMarkers(bytes: Buffer): MarkerHits {
  // One cheap scan for the common prefix; most documents have none.
  if (bytes.indexOf('DTAT-EMULATOR:') < 0) return { badDocument: false, fault: null, dense: false };
  const fault = bytes.indexOf(MARKERS.internalError) >= 0
    ? 'InternalServerError'
    : bytes.indexOf(MARKERS.throttle) >= 0 ? 'ThrottlingException' : null;
  return { badDocument: bytes.indexOf(MARKERS.badDocument) >= 0, fault, dense: bytes.indexOf(MARKERS.dense) >= 0 };
}
