import type { TextractClient } from '@aws-sdk/client-textract';

// Unless told otherwise, the SDK builds a command's whole middleware chain (some twenty closures,
// a context, the endpoint and auth resolution around them) on every send. With `cacheMiddleware`
// it builds the chain once per command class, but only for sends without options, so the call's
// abort signal cannot travel in send()'s options. It travels with the command's input instead: a
// middleware placed after signing finds it and pins it to the request that will go out, and the
// request handler hands it to the HTTP layer as the options would have.

const byInput = new WeakMap<object, AbortSignal>();
const byRequest = new WeakMap<object, AbortSignal>();

type Handler = { handle(request: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown> };

/** Sends `command`, aborting the HTTP exchange (and any retry) when `signal` aborts. */
export function sendWithSignal(client: TextractClient, command: { input: object }, signal: AbortSignal | undefined): Promise<unknown> {
  if (signal) byInput.set(command.input, signal);
  return client.send(command as never);
}

/** Installs the cached middleware chain and the per-call signal on a client, once. */
export function useCachedMiddleware(client: TextractClient): void {
  (client.config as { cacheMiddleware?: boolean }).cacheMiddleware = true;
  client.middlewareStack.add(
    (next) => async (args) => {
      const signal = byInput.get(args.input as object);
      // Each attempt's request is a fresh copy made by the signer: pin the signal to this one.
      if (signal) byRequest.set(args.request as object, signal);
      return next(args);
    },
    // After retries and signing: the request seen here is the one the handler receives.
    { step: 'finalizeRequest', priority: 'low', name: 'dtatCallSignal' },
  );
  const handler = client.config.requestHandler as unknown as Handler;
  const handle = handler.handle.bind(handler);
  handler.handle = (request, options) => {
    const signal = byRequest.get(request as object);
    return handle(request, signal ? { ...options, abortSignal: signal } : options);
  };
}
