import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);

interface SpecOptions {
  openapi: { info: { title: string; version: string } };
  transform: unknown;
}
type SpecFunction = (options?: { yaml?: boolean }) => unknown;
type AddHook = (app: FastifyInstance, options: object) => { routes: unknown[]; Ref: unknown };
type SpecFactory = (options: object, cache: { object: unknown; string: unknown }, routes: unknown[], ref: unknown) => SpecFunction;

/**
 * `@fastify/swagger` in its dynamic mode, registered on `app` itself as the plugin does (its
 * route hooks on the root instance, `app.swagger()` decorated), with one difference: the
 * OpenAPI writer is loaded on the first `app.swagger()` call instead of at start. The writer
 * requires the YAML library when it loads (about 30–40 ms of every start), and only
 * `GET /openapi.json` ever calls it. The route collection (`add-hook`) and the writer are the
 * plugin's own modules, given the options its dynamic mode gives them
 * (`@fastify/swagger/lib/mode/dynamic.js`); `test/server/openapi.test.ts` checks that the
 * document is the same as the plugin's.
 */
export function registerOpenapi(app: FastifyInstance, options: SpecOptions): void {
  // The defaults of lib/mode/dynamic.js (but openapi and transform, which ours always set), then ours.
  const opts = {
    mode: 'dynamic',
    exposeRoute: false,
    hiddenTag: 'X-HIDDEN',
    hideUntagged: false,
    stripBasePath: true,
    swagger: {},
    transformObject: null,
    decorator: 'swagger',
    refResolver: {
      buildLocalReference(json: { title?: string; $id?: string }, _baseUri: unknown, _fragment: unknown, i: number) {
        if (!json.title && json.$id) json.title = json.$id;
        return `def-${i}`;
      },
    },
    convertConstToEnum: true,
    ...options,
  };
  const { addHook } = require('@fastify/swagger/lib/util/add-hook.js') as { addHook: AddHook };
  const { routes, Ref } = addHook(app, opts);
  const cache = { object: null, string: null };
  let spec: SpecFunction | undefined;
  app.decorate(opts.decorator, (o?: { yaml?: boolean }) => {
    spec ??= (require('@fastify/swagger/lib/spec/openapi/index.js') as SpecFactory)(opts, cache, routes, Ref);
    return spec(o);
  });
}
