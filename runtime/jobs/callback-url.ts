import { httpError } from '../errors.ts';

// Callbacks let a Boomi process be told when its job is done. The service POSTs only to hosts
// the operator listed, so it cannot be used to reach arbitrary (internal) addresses.

export function checkCallbackUrl(raw: string, allowedHosts: string[], secret: string | undefined): URL {
  const reject = (message: string) =>
    httpError('VALIDATION_FAILED', message, { issues: [{ path: 'body.callbackUrl', message }] });
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw reject('callbackUrl is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw reject('callbackUrl must be http or https');
  if (url.username || url.password) throw reject('callbackUrl must not carry credentials');
  if (!secret) throw reject('callbacks are disabled on this service (CALLBACK_SECRET is not set)');
  if (!hostAllowed(url.hostname.toLowerCase(), allowedHosts)) {
    throw reject("callbackUrl's host is not in CALLBACK_ALLOWED_HOSTS");
  }
  return url;
}

/** Exact host names, or `*.example.com` for any subdomain of example.com. */
export function hostAllowed(host: string, allowed: string[]): boolean {
  return allowed.some((entry) => (entry.startsWith('*.') ? host.endsWith(entry.slice(1)) && host.length > entry.length - 1 : host === entry));
}
