import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BROADCAST_ROLES, type AdminTokenStore, type AuditLog } from '../admin/ports.js';
import { bearerOf, hashToken } from '../admin/tokens.js';
import { TARGET_CHANNELS } from '../broadcast/ports.js';
import { BroadcastInputError, type BroadcastService } from '../broadcast/service.js';
import { ErrorCodes } from '../core/errors.js';
import type { ChatRegistry, Clock } from '../core/ports.js';
import { ErrorResponse } from './schemas.js';

export interface AdminRouteDeps {
  tokens: AdminTokenStore;
  audit: AuditLog;
  broadcasts: BroadcastService;
  chats: ChatRegistry;
  clock: Clock;
  /** Policy documents: their state, and reloading them without a restart (admin role only). */
  policies?: {
    summary(): Record<string, unknown>[];
    reload(trigger: string): Promise<{ ok: boolean; documents: string[]; inForce: string; problems: string[] }>;
  };
}

const Targets = z.object({
  channel: z.enum(TARGET_CHANNELS, { error: 'targets.channel 必须是 wechat、feishu 或 all' }),
  chats: z.array(z.string().min(1).max(200)).max(5000).optional(),
  tags: z.array(z.string().min(1).max(50)).max(50).optional(),
});

const CreateBroadcast = z.object({
  text: z.string({ error: '广播内容 text 必须是文本' }).trim().min(1, '广播内容不能为空').max(4000, '广播内容不能超过4000字'),
  title: z.string().trim().min(1).max(100, '标题不能超过100字').optional(),
  measures: z.array(z.string().max(10)).max(20).optional(),
  targets: Targets,
  at: z.iso.datetime({ offset: true, error: 'at 必须是带时区的 ISO 时间，例如 2026-12-01T09:00:00+08:00' }).optional(),
});

const Created = z.object({
  id: z.string(),
  status: z.string(),
  targets: z.number(),
  skipped: z.array(z.object({ channel: z.string(), chat: z.string(), name: z.string(), reason: z.string() })),
});

const Delivery = z.object({ channel: z.string(), chat: z.string(), name: z.string(), status: z.string(), attempts: z.number(), error: z.string().nullable() });
const BroadcastView = z.object({
  id: z.string(), title: z.string().nullable(), status: z.string(), scheduledAt: z.string(), createdBy: z.string(), origin: z.string().nullable(), text: z.string(),
  counts: z.record(z.string(), z.number()), deliveries: z.array(Delivery),
});

const Chat = z.object({
  channel: z.string(), id: z.string(), kind: z.string(), name: z.string(), members: z.number(),
  firstSeen: z.number(), lastSeen: z.number(), tags: z.array(z.string()), subscribed: z.boolean(),
  left: z.object({ at: z.number(), reason: z.string() }).optional(),
});

const Id = z.object({ id: z.string().max(100) });

declare module 'fastify' {
  interface FastifyRequest {
    /** Who an authenticated admin request acts as, for the audit log. */
    actor: string;
    /** The token's role. */
    adminRole: string;
  }
}

/** Everything under /api/admin: a bearer token with a broadcasting role, and every action audited. */
export function adminRoutes(deps: AdminRouteDeps) {
  return async (root: FastifyInstance) => {
    await root.register(async (scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      app.decorateRequest('actor', '');
      app.decorateRequest('adminRole', '');
      app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        const token = bearerOf(request.headers.authorization);
        const record = token ? deps.tokens.findByHash(hashToken(token)) : undefined;
        if (!record) {
          return reply.code(401).send({ error: 'UNAUTHORIZED', message: '需要有效的管理令牌（请求头 Authorization: Bearer <令牌>）' });
        }
        if (!BROADCAST_ROLES.includes(record.role)) {
          deps.audit.record({ at: deps.clock.now(), actor: `token:${record.id}:${record.name}`, action: 'denied', detail: { method: request.method, url: request.url, role: record.role } });
          return reply.code(403).send({ error: 'FORBIDDEN', message: `该令牌（角色：${record.role}）没有广播管理权限` });
        }
        request.actor = `token:${record.id}:${record.name}`;
        request.adminRole = record.role;
      });

      const policies = deps.policies;
      if (policies) {
        app.get('/policies', async () => policies.summary());
        // Replacing what the bot says is for administrators, not for every official who may broadcast.
        const Report = z.object({ ok: z.boolean(), documents: z.array(z.string()), inForce: z.string(), problems: z.array(z.string()) });
        app.post('/policies/reload', { schema: { response: { 200: Report, 422: Report, 403: ErrorResponse } } }, async (request, reply) => {
          if (request.adminRole !== 'admin') {
            deps.audit.record({ at: deps.clock.now(), actor: request.actor, action: 'denied', detail: { url: request.url, role: request.adminRole } });
            return reply.code(403).send({ error: 'FORBIDDEN', message: `重新加载政策文件需要 admin 角色的令牌（当前角色：${request.adminRole}）` });
          }
          const report = await policies.reload(`POST /api/admin/policies/reload by ${request.actor}`);
          deps.audit.record({ at: deps.clock.now(), actor: request.actor, action: 'policies.reload', detail: report });
          return reply.code(report.ok ? 200 : 422).send(report);
        });
      }

      app.post('/broadcasts', { schema: { body: CreateBroadcast, response: { 200: Created, 400: ErrorResponse } } }, async (request, reply) => {
        const body = request.body;
        try {
          return deps.broadcasts.create({ ...body, at: body.at ? Date.parse(body.at) : undefined }, request.actor);
        } catch (e) {
          if (e instanceof BroadcastInputError) return reply.code(400).send({ error: ErrorCodes.INVALID_REQUEST, message: e.message });
          throw e;
        }
      });

      app.get('/broadcasts', { schema: { querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }), response: { 200: z.array(BroadcastView) } } }, async (request) =>
        deps.broadcasts.recent(request.query.limit));

      app.get('/broadcasts/:id', { schema: { params: Id, response: { 200: BroadcastView, 404: ErrorResponse } } }, async (request, reply) => {
        const view = deps.broadcasts.view(request.params.id);
        return view ?? reply.code(404).send({ error: ErrorCodes.NOT_FOUND, message: `没有编号为 ${request.params.id} 的广播` });
      });

      app.post('/broadcasts/:id/cancel', { schema: { params: Id, response: { 200: z.object({ id: z.string(), cancelled: z.boolean(), status: z.string() }), 404: ErrorResponse } } }, async (request, reply) => {
        if (!deps.broadcasts.view(request.params.id)) return reply.code(404).send({ error: ErrorCodes.NOT_FOUND, message: `没有编号为 ${request.params.id} 的广播` });
        const cancelled = deps.broadcasts.cancel(request.params.id, request.actor);
        return { id: request.params.id, cancelled, status: deps.broadcasts.view(request.params.id)!.status };
      });

      app.get('/chats', {
        schema: { querystring: z.object({ channel: z.string().optional(), tag: z.string().optional() }), response: { 200: z.array(Chat) } },
      }, async (request) => deps.chats.list({ channel: request.query.channel, tags: request.query.tag ? [request.query.tag] : undefined }));

      app.put('/chats/:channel/:id/tags', {
        schema: {
          params: z.object({ channel: z.string().max(20), id: z.string().max(200) }),
          body: z.object({ tags: z.array(z.string().trim().min(1).max(50)).max(50) }),
          response: { 200: Chat, 404: ErrorResponse },
        },
      }, async (request, reply) => {
        const { channel, id } = request.params;
        if (!deps.chats.setTags(channel, id, request.body.tags)) return reply.code(404).send({ error: ErrorCodes.NOT_FOUND, message: `没有这个群：${channel}/${id}` });
        deps.audit.record({ at: deps.clock.now(), actor: request.actor, action: 'chat.tags', detail: { channel, id, tags: request.body.tags } });
        return deps.chats.get(channel, id)!;
      });

      app.get('/audit', {
        schema: { querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }) },
      }, async (request) => deps.audit.recent(request.query.limit));
    }, { prefix: '/api/admin' });
  };
}
