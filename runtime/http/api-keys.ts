import { timingSafeEqual } from 'node:crypto';

// One check for HTTP routes and WebSocket upgrades. Constant-time comparison: a key must not be
// guessable byte by byte from response timings.

export type KeyCheck = (presented: string | undefined) => boolean;

export function createKeyCheck(apiKeys: string[]): KeyCheck {
  const keys = apiKeys.map((k) => Buffer.from(k));
  return (presented) => {
    if (keys.length === 0) return true;
    if (!presented) return false;
    const candidate = Buffer.from(presented);
    return keys.some((key) => key.length === candidate.length && timingSafeEqual(key, candidate));
  };
}

/** x-api-key, or Authorization: Bearer. */
export function presentedKey(headers: Record<string, string>): string | undefined {
  return headers['x-api-key'] ?? headers.authorization?.replace(/^Bearer\s+/i, '');
}
