// How the page talks to the service: the API key (kept in this page's memory only, like /docs:
// a reload asks again and nothing stays in the browser for a later user), JSON reads, and the
// WebSocket URL (browsers cannot set headers on a WebSocket, so the key goes in ?apiKey=).

let key = '';

export class Unauthorized extends Error {}

export function setKey(value) {
  key = value;
}

/** fetch() with the key; the response as it came. */
export function request(path, init = {}) {
  const headers = { ...(init.headers ?? {}), ...(key ? { 'x-api-key': key } : {}) };
  return fetch(path, { ...init, headers, credentials: 'omit', cache: 'no-store' });
}

/** The JSON of a GET; Unauthorized on 401, an Error naming the service's message otherwise. */
export async function getJson(path) {
  const res = await request(path);
  if (res.status === 401) throw new Unauthorized('The service did not accept this key.');
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error?.message ?? `${path} answered ${res.status}`);
  return body;
}

export function socketUrl(params) {
  const url = new URL('/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  if (key) url.searchParams.set('apiKey', key);
  return url.href;
}

/** An element with text, built without HTML parsing: everything shown comes from the service or a file. */
export function el(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

export function formatMs(ms) {
  if (!Number.isFinite(ms)) return '–';
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : `${Math.round(ms)} ms`;
}

export function formatDuration(seconds) {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}
