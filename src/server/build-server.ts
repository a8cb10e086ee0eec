import rateLimit from '@fastify/rate-limit';
// The types of app.swagger(); the plugin itself is registered by registerOpenapi.
import type {} from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';

type Logger = FastifyBaseLogger;
import {
  hasZodFastifySchemaValidationErrors, jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { formatChineseDate, ruleSummary, type PolicyDocument } from '../../policy/index.js';
import type { AwardView } from '../core/answer.js';
import { AppError, ErrorCodes } from '../core/errors.js';
import type { ChannelStatus } from '../core/ports.js';
import { registerOpenapi } from './openapi.js';
import { readinessRoute } from './readiness.js';
import { securityHeaders } from './security-headers.js';
import type { DialogEngine } from '../dialog/engine.js';
import { newCheck, outcomesOf, resultOf } from '../dialog/eligibility.js';
import type { Replies } from '../dialog/replies.js';
import {
  AskBody, AskResponse, EligibilityBody, EligibilityResponse, ErrorResponse, MeasureDetail, MeasureSummary,
} from './schemas.js';

export interface ServerDeps {
  engine: DialogEngine;
  doc: PolicyDocument;
  replies: Replies;
  /** The service's pino logger (main creates it so channels log the same way). */
  logger: Logger;
  /** Extra route groups (channels' webhooks) registered by main. */
  plugins?: ((app: FastifyInstance) => Promise<void> | void)[];
  /** Requests per minute; 0 turns a limit off. Defaults: the config's defaults. */
  limits?: Partial<RateLimits>;
  /** The policy lifecycle (src/lifecycle): documents' state for /healthz, expiry for one-shot results. */
  lifecycle?: ServerLifecycle;
  /** Each messaging channel's connection state, for GET /readyz. */
  channelStatus?: () => ChannelStatus[];
}

export interface ServerLifecycle {
  /** Each document's state today, the one in force first. */
  documents(): Record<string, unknown>[];
  /** A one-shot eligibility result as it may be shown today (reference only once expired). */
  eligibility(result: { reply: string; awards: AwardView[]; measures: string[] }): { reply: string; awards: AwardView[]; referenceOnly: boolean };
}

export interface RateLimits {
  /** From one IP address, to every route but /healthz. */
  ipPerMinute: number;
  /** From one `user` of POST /api/ask (checked after the body is validated). */
  userPerMinute: number;
}

export const DEFAULT_LIMITS: RateLimits = { ipPerMinute: 6000, userPerMinute: 600 };

/** zod's compilers as fastify's compiler factories (typed by fastify for ajv and fast-json-stringify). */
const ZOD_COMPILERS = { buildValidator: () => validatorCompiler, buildSerializer: () => serializerCompiler } as unknown as
  NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

const BODY_LIMIT = 64 * 1024;
const MINUTE = 60_000;
const DRAIN_GRACE_MS = 250;

// Query parameters that carry credentials (?token=, ?access_key=, ?signature= …) keep their name, lose their value.
const CREDENTIAL_PARAM = /([?&][^=&#]*(?:token|secret|key|sign|pass|auth|session|ticket|code)[^=&#]*=)[^&#]*/gi;

/** fastify's request serializer, with credentials in the query string redacted. */
function requestForLog(request: FastifyRequest) {
  return {
    method: request.method,
    url: request.url?.replace(CREDENTIAL_PARAM, '$1[Redacted]'),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

function rateLimited(max: number, seconds: number): AppError {
  return new AppError(ErrorCodes.RATE_LIMITED, 429, `请求过于频繁，请${Math.max(1, seconds)}秒后再试（每分钟最多${max}次）`);
}

/** The HTTP app, built but not listening: tests call inject(), main calls listen(). */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  // Security headers on every response (nosniff, CSP, frame-ancestors, HSTS …), helmet's defaults.
  const headers = securityHeaders();
  const app = Fastify({
    loggerInstance: deps.logger.child({}, { serializers: { req: requestForLog } }),
    bodyLimit: BODY_LIMIT,
    // zod validates and serializes every route. Given as the compilers' factories (what
    // setValidatorCompiler and setSerializerCompiler install) so that fastify does not load its
    // default ones, ajv and fast-json-stringify, at start only to have them replaced.
    schemaController: { compilersFactory: ZOD_COMPILERS },
    // On close a request already on an open connection is answered (with Connection: close),
    // not shed with fastify's English 503: see the preClose hook.
    return503OnClosing: false,
    // The router's own rejections (a malformed %-escape, a path parameter over 100 characters)
    // skip the hooks and the error handler: without this they answer in English, headers missing.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const message = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? '请求地址中的参数过长' : '请求地址格式不正确';
      void reply.code(error.statusCode ?? 400).headers(headers).send({ error: ErrorCodes.INVALID_REQUEST, message });
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setErrorHandler((error, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const first = error.validation[0];
      const field = first?.instancePath?.replace(/^\//, '') || '请求体';
      request.log.info({ issues: error.validation }, 'rejected invalid request');
      // Schema messages written in Chinese are shown as they are; zod's English defaults are not.
      const detail = first?.message && /\p{Script=Han}/u.test(first.message) ? first.message : '的值无效或缺失';
      return reply.code(400).send({ error: ErrorCodes.INVALID_REQUEST, message: `请求格式不正确：${field} ${detail}` });
    }
    if (error instanceof AppError) return reply.code(error.statusCode).send({ error: error.code, message: error.userMessage });
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status === 413) return reply.code(413).send({ error: ErrorCodes.BODY_TOO_LARGE, message: `请求体过大（上限${BODY_LIMIT / 1024}KB）` });
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: ErrorCodes.INVALID_REQUEST, message: '请求格式不正确：请发送 JSON 格式的请求体' });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ error: ErrorCodes.INTERNAL, message: '服务内部错误，请稍后再试' });
  });
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
  // The drain. Node's server.close() cuts every connection that looks idle, and under load
  // that includes connections whose next request is already in the socket buffer: the client
  // gets a reset for a request it sent. So for a moment first, every request is still answered
  // with Connection: close (fastify's closing state), and the clients close their connections.
  app.addHook('preClose', (done) => {
    if (!app.server.listening) return done();
    setTimeout(done, DRAIN_GRACE_MS);
  });
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  await app.register(rateLimit, {
    global: limits.ipPerMinute > 0,
    max: limits.ipPerMinute,
    timeWindow: MINUTE,
    errorResponseBuilder: (_request, context) => rateLimited(context.max, Math.ceil(context.ttl / 1000)),
  });
  // Unknown URLs count against the IP too, or guessing routes would be free.
  app.setNotFoundHandler(
    { preHandler: limits.ipPerMinute > 0 ? app.rateLimit() : undefined },
    (request, reply) => reply.code(404).send({ error: ErrorCodes.NOT_FOUND, message: `没有这个接口：${request.method} ${request.url}` }),
  );
  const userLimit = limits.userPerMinute > 0
    ? app.createRateLimit({
      max: limits.userPerMinute,
      timeWindow: MINUTE,
      keyGenerator: (request: FastifyRequest) => `user:${(request.body as { user: string }).user}`,
    })
    : undefined;

  registerOpenapi(app, {
    openapi: { info: { title: '福州专精特新政策助手 API', version: '0.1.0' } },
    transform: jsonSchemaTransform,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/healthz', {
    config: { rateLimit: false },
    schema: { response: { 200: z.object({ status: z.literal('ok'), policy: z.string(), documents: z.array(z.record(z.string(), z.unknown())).optional() }) } },
  }, async () => ({
    status: 'ok' as const,
    policy: deps.doc.versionTag,
    ...(deps.lifecycle ? { documents: deps.lifecycle.documents() } : {}),
  }));

  readinessRoute(app, deps.channelStatus ?? (() => []));

  app.post('/api/ask', {
    schema: { body: AskBody, response: { 200: AskResponse, 400: ErrorResponse, 429: ErrorResponse }, description: '用中文提问，得到回复、意图、相关措施和计算出的金额' },
    // One user's questions are limited too: many users may share one IP (an office, a proxy).
    preHandler: async (request, reply) => {
      if (!userLimit) return;
      const limit = await userLimit(request);
      if (limit.isAllowed || !limit.isExceeded) return;
      reply.header('retry-after', limit.ttlInSeconds);
      throw rateLimited(limit.max, limit.ttlInSeconds);
    },
  }, async (request) => {
    const { text, user, chat } = request.body;
    const answer = deps.engine.handle({ channel: 'http', chat: chat ?? `direct:${user}`, user, text, at: Date.now(), mentioned: true });
    // The reply leaves after the COMMIT that holds this turn: an acknowledged turn survives a crash.
    await deps.engine.committed?.();
    return {
      reply: answer.reply, intent: answer.intent, measures: answer.measures, confidence: answer.confidence,
      ...(answer.awards ? { awards: answer.awards } : {}),
      ...(answer.dialog ? { dialog: answer.dialog } : {}),
    };
  });

  app.get('/api/measures', { schema: { response: { 200: z.array(MeasureSummary) } } }, async () =>
    deps.doc.measures.map((m) => ({ id: m.id, title: m.title, ...(m.parent ? { parent: m.parent } : {}), units: deps.doc.unitsOf(m.id) })),
  );

  app.get('/api/measures/:id', {
    schema: { params: z.object({ id: z.string().max(10) }), response: { 200: MeasureDetail, 404: ErrorResponse } },
  }, async (request, reply) => {
    const m = deps.doc.measure(request.params.id);
    if (!m) return reply.code(404).send({ error: ErrorCodes.NOT_FOUND, message: `没有编号为“${request.params.id}”的措施，可用编号：${deps.doc.measures.map((x) => x.id).join('、')}` });
    return {
      id: m.id, title: m.title, ...(m.parent ? { parent: m.parent } : {}), units: deps.doc.unitsOf(m.id),
      name: deps.doc.displayName(m.id), text: m.text, children: deps.doc.children(m.id).map((c) => c.id),
      awards: deps.doc.rulesFor(m.id).map((r) => ({ id: r.id, title: r.title, summary: ruleSummary(deps.doc, r) })),
    };
  });

  app.post('/api/eligibility', {
    schema: { body: EligibilityBody, response: { 200: EligibilityResponse, 400: ErrorResponse }, description: '按企业情况一次性测评' },
  }, async (request) => {
    const check = { ...newCheck(), profile: { ...request.body } as Record<string, string | number | boolean>, done: true };
    const outcomes = outcomesOf(deps.doc, check);
    const result = resultOf(deps.doc, deps.replies, check, outcomes);
    const missing = [...new Set(outcomes.filter((o) => o.status === 'needs_info' || o.missing.length).flatMap((o) => o.missing))];
    const shown = deps.lifecycle?.eligibility({ reply: result.text, awards: result.awards, measures: result.measures });
    return { reply: shown?.reply ?? result.text, awards: shown?.awards ?? result.awards, missing, validUntil: formatChineseDate(deps.doc.validUntil), ...(shown ? { referenceOnly: shown.referenceOnly } : {}) };
  });

  for (const plugin of deps.plugins ?? []) await plugin(app);
  return app;
}
