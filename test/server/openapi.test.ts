// registerOpenapi (src/server/openapi.ts) is @fastify/swagger's dynamic mode with its OpenAPI
// writer loaded on first use: the same routes give the same document, as object and as YAML,
// as with the plugin itself.
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerOpenapi } from '../../src/server/openapi.js';
import { AskBody, AskResponse, EligibilityBody, EligibilityResponse, ErrorResponse, MeasureDetail, MeasureSummary } from '../../src/server/schemas.js';

const OPTIONS = { openapi: { info: { title: '福州专精特新政策助手 API', version: '0.1.0' } }, transform: jsonSchemaTransform };

async function app(register: (app: FastifyInstance) => Promise<void> | void): Promise<FastifyInstance> {
  const app = Fastify().withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addSchema({ $id: 'shared', type: 'object', properties: { id: { type: 'string' } } });
  await register(app);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { response: { 200: z.object({ status: z.literal('ok'), documents: z.array(z.record(z.string(), z.unknown())).optional() }) } } }, async () => ({ status: 'ok' as const }));
  app.post('/api/ask', { schema: { body: AskBody, response: { 200: AskResponse, 400: ErrorResponse, 429: ErrorResponse }, description: '用中文提问' } }, async () => ({ reply: '', intent: '', measures: [] }));
  app.get('/api/measures', { schema: { response: { 200: z.array(MeasureSummary) } } }, async () => []);
  app.get('/api/measures/:id', { schema: { params: z.object({ id: z.string().max(10) }), response: { 200: MeasureDetail, 404: ErrorResponse } } }, async () => ({}) as never);
  app.post('/api/eligibility', { schema: { body: EligibilityBody, response: { 200: EligibilityResponse, 400: ErrorResponse } } }, async () => ({}) as never);
  await app.register(async (child) => {
    child.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, hide: true };
    });
    child.get('/page', async () => 'page');
  });
  await app.register(async (child) => {
    child.withTypeProvider<ZodTypeProvider>().get('/items/:id', { schema: { params: z.object({ id: z.string() }), querystring: z.object({ full: z.boolean().optional() }), response: { 200: MeasureSummary } } }, async () => ({}) as never);
    child.post('/webhook', { schema: { tags: ['X-HIDDEN'] } }, async () => ({}));
    child.route({ method: ['GET', 'POST'], url: '/both', handler: async () => ({}) });
  }, { prefix: '/feishu' });
  await app.ready();
  return app;
}

describe('registerOpenapi', () => {
  it('gives the document @fastify/swagger gives, as JSON and as YAML', async () => {
    const plugin = await app(async (a) => {
      await a.register(swagger, OPTIONS);
    });
    const lazy = await app((a) => registerOpenapi(a, OPTIONS));
    expect(lazy.swagger()).toEqual(plugin.swagger());
    expect(lazy.swagger({ yaml: true })).toBe(plugin.swagger({ yaml: true }));
    const served = await lazy.inject({ method: 'GET', url: '/openapi.json' });
    expect(served.body).toBe((await plugin.inject({ method: 'GET', url: '/openapi.json' })).body);
    expect(Object.keys(served.json().paths)).toEqual(expect.arrayContaining(['/api/ask', '/feishu/items/{id}', '/feishu/both']));
    expect(Object.keys(served.json().paths)).not.toContain('/page');
    await plugin.close();
    await lazy.close();
  });
});
