import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { projectRoot } from '../../policy/index.js';
import { broadcastRoutes } from './broadcast-pages.js';
import { consoleRoutes } from './console-pages.js';
import type { WebDeps } from './deps.js';
import { parseForm } from './http.js';
import { publicRoutes } from './public-pages.js';

export type { WebDeps } from './deps.js';

/**
 * The pages' policy: scripts, styles and images from this process only, no inline script or
 * style, no framing, forms post only here. Stricter than the API's helmet defaults.
 */
export const PAGE_CSP = [
  "default-src 'self'", "script-src 'self'", "script-src-attr 'none'", "style-src 'self'", "img-src 'self' data:",
  "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

interface Asset {
  body: Buffer;
  type: string;
}

/** Everything a page loads, read once at start from the project and from node_modules (htmx). */
function loadAssets(): Record<string, Asset> {
  const here = join(projectRoot(), 'src', 'web', 'assets');
  const htmx = createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js');
  return {
    'app.css': { body: readFileSync(join(here, 'app.css')), type: 'text/css; charset=utf-8' },
    'app.js': { body: readFileSync(join(here, 'app.js')), type: 'text/javascript; charset=utf-8' },
    'htmx.min.js': { body: readFileSync(htmx), type: 'text/javascript; charset=utf-8' },
  };
}

/** The calculator at /, measures at /measures, and the officials' console at /console. */
export function webRoutes(deps: WebDeps) {
  const assets = loadAssets();
  return async (root: FastifyInstance) => {
    await root.register(async (app) => {
      // Pages are not API: they stay out of /openapi.json.
      app.addHook('onRoute', (route) => {
        route.schema = { ...route.schema, hide: true };
      });
      // Forms post urlencoded bodies; only these routes accept them (the API stays JSON-only).
      app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
        done(null, parseForm(body as string));
      });
      app.addHook('onRequest', async (_request, reply) => {
        reply.header('content-security-policy', PAGE_CSP);
        reply.header('referrer-policy', 'same-origin');
      });
      app.get('/assets/:name', async (request, reply) => {
        const asset = assets[(request.params as { name: string }).name];
        if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('没有这个文件');
        return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(asset.body);
      });
      publicRoutes(deps, app);
      consoleRoutes(deps, app, (ctx, scope) => broadcastRoutes(ctx, scope));
    });
  };
}
