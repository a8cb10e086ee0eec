import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AdminTokenStore } from '../admin/ports.js';
import { bearerOf, hashToken } from '../admin/tokens.js';
import type { Answer } from '../core/answer.js';
import type { Turn } from '../core/turn.js';
import type { DialogEngine } from '../dialog/engine.js';
import type { Db } from '../store/database.js';

/** What the rest of the service reports; the Prometheus objects stay in this file. */
export interface Metrics {
  readonly registry: Registry;
  /** A platform refused or failed a call (Feishu's code, WeChat's failure kind). */
  platformError(channel: string, code: string): void;
  /**
   * Whether a channel is up (1) or not (0). The hook for a channel health model: whatever
   * decides a channel's state calls this; main sets 1 when a channel has started.
   */
  channelUp(channel: string, up: boolean): void;
  /** Request latency by route, for the service's fastify app. */
  instrument(app: FastifyInstance): void;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createMetrics(db: Db): Metrics & { observeTurn(turn: Turn, answer: Answer | undefined, seconds: number): void } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Histogram({
    name: 'policy_bot_http_request_duration_seconds', help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'], buckets: LATENCY_BUCKETS, registers: [registry],
  });
  const answerSeconds = new Histogram({
    name: 'policy_bot_answer_duration_seconds', help: 'Time to understand and answer one turn (NLU, dialog, state write)',
    labelNames: ['channel'], buckets: LATENCY_BUCKETS, registers: [registry],
  });
  const answers = new Counter({ name: 'policy_bot_answers_total', help: 'Answers by channel and intent', labelNames: ['channel', 'intent'], registers: [registry] });
  const fallbacks = new Counter({
    name: 'policy_bot_fallbacks_total', help: 'Answers that were "out of scope" (fallback rate = this / policy_bot_answers_total)',
    labelNames: ['channel'], registers: [registry],
  });
  const dialogTurns = new Counter({ name: 'policy_bot_dialog_turns_total', help: 'Turns inside an eligibility check', labelNames: ['channel'], registers: [registry] });
  const failures = new Counter({ name: 'policy_bot_answer_failures_total', help: 'Turns that threw instead of answering', labelNames: ['channel'], registers: [registry] });
  const platformErrors = new Counter({ name: 'policy_bot_platform_errors_total', help: 'Platform calls refused or failed, by code', labelNames: ['channel', 'code'], registers: [registry] });
  const channelUp = new Gauge({ name: 'policy_bot_channel_up', help: 'Whether a messaging channel is up (1) or not (0)', labelNames: ['channel'], registers: [registry] });

  const deliveriesStmt = db.prepare('SELECT channel, status, COUNT(*) AS n FROM deliveries GROUP BY channel, status');
  new Gauge({
    name: 'policy_bot_broadcast_deliveries', help: 'Broadcast deliveries by channel and status (all time, from the outbox)',
    labelNames: ['channel', 'status'], registers: [registry],
    collect() {
      this.reset();
      for (const r of deliveriesStmt.all() as { channel: string; status: string; n: number }[]) this.set({ channel: r.channel, status: r.status }, r.n);
    },
  });
  const depthStmt = db.prepare(`SELECT channel, COUNT(*) AS n FROM deliveries WHERE status IN ('queued', 'sending') GROUP BY channel`);
  new Gauge({
    name: 'policy_bot_outbox_depth', help: 'Broadcast deliveries waiting to be sent', labelNames: ['channel'], registers: [registry],
    collect() {
      this.reset();
      for (const r of depthStmt.all() as { channel: string; n: number }[]) this.set({ channel: r.channel }, r.n);
    },
  });

  const started = new WeakMap<object, bigint>();
  return {
    registry,
    platformError: (channel, code) => platformErrors.inc({ channel, code }),
    channelUp: (channel, up) => channelUp.set({ channel }, up ? 1 : 0),
    observeTurn(turn, answer, seconds) {
      answerSeconds.observe({ channel: turn.channel }, seconds);
      if (!answer) {
        failures.inc({ channel: turn.channel });
        return;
      }
      answers.inc({ channel: turn.channel, intent: answer.intent });
      if (answer.intent === 'fallback') fallbacks.inc({ channel: turn.channel });
      if (answer.dialog) dialogTurns.inc({ channel: turn.channel });
    },
    instrument(app) {
      app.addHook('onRequest', (request, _reply, done) => {
        started.set(request, process.hrtime.bigint());
        done();
      });
      app.addHook('onResponse', (request, reply, done) => {
        const t0 = started.get(request);
        if (t0 !== undefined) {
          // The route's pattern, never the raw URL: unknown URLs must not grow the label set.
          const route = request.routeOptions.url ?? 'unmatched';
          requests.observe({ route, method: request.method, status: String(reply.statusCode) }, Number(process.hrtime.bigint() - t0) / 1e9);
        }
        done();
      });
    },
  };
}

/** The engine with every turn timed and counted. */
export function meteredEngine(engine: DialogEngine, metrics: { observeTurn(turn: Turn, answer: Answer | undefined, seconds: number): void }): DialogEngine {
  return {
    handle(turn) {
      const t0 = process.hrtime.bigint();
      let answer: Answer | undefined;
      try {
        answer = engine.handle(turn);
        return answer;
      } finally {
        metrics.observeTurn(turn, answer, Number(process.hrtime.bigint() - t0) / 1e9);
      }
    },
    // Replies still wait for the commit that holds their turn.
    ...(engine.committed ? { committed: engine.committed } : {}),
  };
}

/** GET /metrics on the service's app: any valid admin token (viewer included). */
export function metricsRoute(metrics: Metrics, tokens: AdminTokenStore) {
  return (app: FastifyInstance) => {
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      const token = bearerOf(request.headers.authorization);
      if (!token || !tokens.findByHash(hashToken(token))) {
        return reply.code(401).send({ error: 'UNAUTHORIZED', message: '需要有效的管理令牌（请求头 Authorization: Bearer <令牌>）' });
      }
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  };
}

/** /metrics without a token on a separate address (METRICS_HOST:METRICS_PORT), for a scraper on a private network. */
export async function listenMetrics(metrics: Metrics, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metrics.registry.metrics().then((body) => {
      res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body);
    }, () => res.writeHead(500).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
