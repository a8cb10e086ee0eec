import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ChannelStatus } from '../core/ports.js';

const ChannelView = z.object({
  channel: z.string(),
  state: z.enum(['starting', 'connected', 'reconnecting', 'logged_out', 'disabled']),
  since: z.string(),
  lastEventAt: z.string().nullable(),
  detail: z.string().optional(),
});
const Readiness = z.object({ status: z.enum(['ready', 'degraded']), channels: z.array(ChannelView) });

/**
 * GET /readyz: every messaging channel's connection. 200 when each configured channel is
 * connected, 503 otherwise; /healthz stays the liveness answer (the HTTP API works either way),
 * so route traffic on /healthz and alert on /readyz.
 */
export function readinessRoute(app: FastifyInstance, statuses: () => ChannelStatus[]): void {
  app.withTypeProvider<ZodTypeProvider>().get('/readyz', {
    config: { rateLimit: false },
    schema: { response: { 200: Readiness, 503: Readiness }, description: '各消息渠道（微信、飞书）的连接状态：全部已连接时 200，否则 503' },
  }, async (_request, reply) => {
    const channels = statuses().map((s) => ({
      channel: s.channel, state: s.state, since: new Date(s.since).toISOString(),
      lastEventAt: s.lastEventAt === null ? null : new Date(s.lastEventAt).toISOString(),
      ...(s.detail ? { detail: s.detail } : {}),
    }));
    const ready = channels.every((c) => c.state === 'connected' || c.state === 'disabled');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'degraded', channels });
  });
}
