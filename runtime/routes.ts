import type { AnyFunction, HttpMethod } from './define.ts';

/** One line of functions.config.ts: which function answers which method + path, and how. */
export interface RouteConfig {
  function: AnyFunction;
  /** Defaults to the function's own method and path. */
  method?: HttpMethod;
  path?: string;
  /** 'event' queues the invocation and answers 202 with a Job (Lambda's InvocationType=Event). */
  invocation?: 'sync' | 'event';
}

export interface Route {
  method: HttpMethod;
  path: string;
  fn: AnyFunction;
  invocation: 'sync' | 'event';
  segments: string[];
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

export function buildRoutes(config: readonly RouteConfig[]): Route[] {
  const routes = config.map((c) => {
    const path = c.path ?? c.function.path;
    return {
      method: c.method ?? c.function.method,
      path,
      fn: c.function,
      invocation: c.invocation ?? 'sync',
      segments: split(path),
    } satisfies Route;
  });
  const seen = new Set<string>();
  for (const r of routes) {
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) throw new Error(`route ${key} is configured twice`);
    seen.add(key);
  }
  return routes;
}

/** Finds the route for method + path; `allowed` lists methods when only the path matched (405). */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch | { allowed: string[] } | null {
  const parts = split(path);
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchSegments(route.segments, parts);
    if (!params) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  return allowed.length ? { allowed } : null;
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(parts[i]!);
      } catch {
        return null;
      }
    } else if (p !== parts[i]) return null;
  }
  return params;
}

function split(path: string): string[] {
  return path.split('/').filter(Boolean);
}
