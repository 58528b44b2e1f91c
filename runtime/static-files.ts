import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { RawBody, Reply } from './define.ts';

// The files of the service's pages (/docs, /dashboard), served from this machine: no CDN, so the
// pages work on a network without internet access. Each set is a fixed list (no request can name
// another path), read once when first asked for and kept with its hash (which goes into the
// asset URLs, so browsers may cache them for a year) and a gzip copy.

export interface StaticFile {
  body: Buffer;
  gzipped: Buffer;
  contentType: string;
  /** First 16 hex digits of the sha256 of `body`. */
  hash: string;
}

export interface StaticFileSpec {
  /** The folder holding the file; a function, so a missing package breaks the page, never the service's start. */
  dir: () => string;
  contentType: string;
}

export interface StaticFiles {
  /** The file named `name`, or undefined when it is not one of the set. */
  get(name: string): Promise<StaticFile | undefined>;
  /** `/prefix/name?v=hash`: the URL a page links to. */
  url(prefix: string, name: string): Promise<string>;
}

export function staticFiles(files: Record<string, StaticFileSpec>): StaticFiles {
  let loading: Promise<Map<string, StaticFile>> | undefined;
  const load = () => {
    loading ??= (async () => {
      const entries = await Promise.all(
        Object.entries(files).map(async ([name, { dir, contentType }]) => {
          const body = await fs.readFile(path.join(dir(), name));
          const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
          return [name, { body, gzipped: await promisify(gzip)(body), contentType, hash }] as const;
        }),
      );
      return new Map(entries);
    })();
    // A failed read is retried on the next request rather than remembered.
    loading.catch(() => (loading = undefined));
    return loading;
  };
  return {
    async get(name) {
      if (!Object.hasOwn(files, name)) return undefined;
      return (await load()).get(name);
    },
    async url(prefix, name) {
      return `${prefix}/${name}?v=${(await load()).get(name)!.hash}`;
    },
  };
}

/** A file's response: gzipped when the client accepts it; cached for a year only under its own hash. */
export function staticFileReply(file: StaticFile, query: { v?: string }, headers: Record<string, string>): Reply {
  const gzipped = /\bgzip\b/.test(headers['accept-encoding'] ?? '');
  return new Reply(200, new RawBody(gzipped ? file.gzipped : file.body, file.contentType), {
    // During a rolling upgrade a machine still on the old files must not answer for the new URL
    // for a year: only the hash the page links to is immutable.
    'cache-control': query.v === file.hash ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...(gzipped ? { 'content-encoding': 'gzip' } : {}),
    vary: 'accept-encoding',
    'x-content-type-options': 'nosniff',
  });
}

/**
 * A page's policy: only this origin's scripts, styles and connections (fetch and the WebSocket),
 * nothing in frames. Both pages hold an API key field, so no other site may script or frame them.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');
