import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';

type HelmetMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * helmet's security headers for this API, computed once. @fastify/helmet builds helmet's
 * middleware anew on every request (about 25–50 µs here, as much as a bare fastify route
 * costs in all); with no CSP nonces the headers never change, so they are taken once from
 * the helmet that @fastify/helmet itself uses, with the same default configuration.
 */
export function securityHeaders(options: Record<string, unknown> = {}): Record<string, string> {
  const fromPlugin = createRequire(createRequire(import.meta.url).resolve('@fastify/helmet'));
  const helmet = fromPlugin('helmet') as (options: Record<string, unknown>) => HelmetMiddleware;
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
    getHeader(name: string) {
      return headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err) => (failure = err));
  if (failure) throw failure;
  return headers;
}
