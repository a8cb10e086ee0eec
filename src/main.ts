import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { loadPolicyDocuments, projectRoot, selectPolicyDocument, type PolicyDocument } from '../policy/index.js';
import type { Channel, ChannelDeps } from './channels/channel.js';
import { createFeishuChannel } from './channels/feishu/index.js';
import { createWechatChannel } from './channels/wechat/index.js';
import { seedToken } from './admin/tokens.js';
import { pacingFrom, readBroadcastConfig } from './broadcast/config.js';
import { createBroadcastService, type BroadcastService } from './broadcast/service.js';
import { abortableSleep, createBroadcastWorker, type BroadcastWorker } from './broadcast/worker.js';
import { readConfig, type Config } from './config.js';
import { systemClock, type Clock } from './core/ports.js';
import { createDialogEngine, type DialogEngine } from './dialog/engine.js';
import { loadReplies } from './dialog/replies.js';
import type { ConversationState } from './dialog/state.js';
import { loadNlu } from './nlu/index.js';
import { adminRoutes } from './server/admin-routes.js';
import { buildServer } from './server/build-server.js';
import { openDatabase, type Db } from './store/database.js';
import { SqliteAdminTokens, SqliteAuditLog, SqliteUserRoles } from './store/sqlite-admin.js';
import { SqliteChatRegistry } from './store/sqlite-chat-registry.js';
import { SqliteOutbox } from './store/sqlite-outbox.js';
import { SqliteQuestionStats } from './store/sqlite-question-stats.js';
import { SqliteDialogStateStore, SqliteProcessedEvents, SqliteQuestionLog } from './store/sqlite-stores.js';
import { readOpsConfig, type OpsConfig } from './ops/config.js';
import { createMetrics, listenMetrics, meteredEngine, metricsRoute, type Metrics } from './ops/metrics.js';
import { startRetention, type DailySchedule } from './ops/retention.js';

export interface Service {
  config: Config;
  doc: PolicyDocument;
  db: Db;
  engine: DialogEngine;
  server: FastifyInstance;
  channels: Channel[];
  broadcasts: BroadcastService;
  worker: BroadcastWorker;
  ops: OpsConfig;
  metrics: Metrics;
  /** Starts the configured channels (after the server listens: webhooks must be reachable), then the broadcaster. */
  startChannels(): Promise<void>;
  close(): Promise<void>;
}

/** "feishu:oc_123" → ["feishu", "oc_123"]. */
function splitOrigin(origin: string | null | undefined): [string, string] | [] {
  const i = origin?.indexOf(':') ?? -1;
  return origin && i > 0 ? [origin.slice(0, i), origin.slice(i + 1)] : [];
}

/** Secrets never reach the logs: headers and any field that looks like a credential (test/attack/secrets-in-logs.test.ts). */
const REDACT = [
  'req.headers.authorization', 'req.headers["x-lark-signature"]', 'req.headers.cookie',
  'headers.authorization', 'headers.cookie', '*.headers.authorization', '*.headers.cookie',
  'token', 'secret', 'appSecret', 'encryptKey', 'verificationToken', 'password',
  '*.token', '*.appSecret', '*.secret', '*.encryptKey', '*.verificationToken', '*.password',
  '*.ADMIN_TOKEN', '*.FEISHU_APP_SECRET', '*.FEISHU_ENCRYPT_KEY', '*.FEISHU_VERIFICATION_TOKEN', '*.WECHATY_PUPPET_SERVICE_TOKEN',
];

/** Wires everything from an environment-like record; starts nothing that listens. */
export async function createService(env: Record<string, string | undefined>, clock: Clock = systemClock, hooks: { daily?: DailySchedule } = {}): Promise<Service> {
  const config = readConfig(env);
  const broadcastConfig = readBroadcastConfig(env);
  const ops = readOpsConfig(env);
  const root = projectRoot();
  const doc = selectPolicyDocument(loadPolicyDocuments(join(root, 'policy', 'documents')), config.POLICY_DOCUMENT);
  const replies = loadReplies(join(root, 'intents', 'replies.yaml'));
  const nlu = await loadNlu({ segmenter: config.SEGMENTER, root, doc });
  const db = openDatabase(config.DB_PATH);
  const metrics = createMetrics(db);
  const engine = meteredEngine(createDialogEngine({
    doc, nlu, replies, clock,
    states: new SqliteDialogStateStore<ConversationState>(db, () => clock.now()),
    questions: new SqliteQuestionLog(db),
    idleMs: config.DIALOG_IDLE_MINUTES * 60_000,
  }), metrics);
  const logger = pino({ level: config.LOG_LEVEL, redact: REDACT });
  const chats = new SqliteChatRegistry(db);
  const tokens = new SqliteAdminTokens(db);
  const audit = new SqliteAuditLog(db);
  const roles = new SqliteUserRoles(db);
  const outbox = new SqliteOutbox(db);
  seedToken(tokens, broadcastConfig.ADMIN_TOKEN, clock.now());
  const broadcasts = createBroadcastService({ outbox, chats, audit, clock, doc, replies });
  let staffAlerts: Channel['staffAlerts'];
  const deps: ChannelDeps = {
    engine, replies, doc, db, clock, log: logger, chats, broadcasts, roles, metrics,
    questionStats: new SqliteQuestionStats(db),
    events: new SqliteProcessedEvents(db),
    dataDir: dirname(config.DB_PATH),
    alerts: {
      async alert(text) {
        logger.warn({ alert: text }, 'staff alert');
        await staffAlerts?.alert(text);
      },
    },
  };
  const channels = (await Promise.all([createWechatChannel(env, deps), createFeishuChannel(env, deps)])).filter((c): c is Channel => c !== null);
  staffAlerts = channels.find((c) => c.staffAlerts)?.staffAlerts;
  const worker = createBroadcastWorker({
    outbox, clock, log: logger, replies, alerts: deps.alerts,
    senders: channels.flatMap((c) => (c.broadcastSender ? [c.broadcastSender] : [])),
    pacing: pacingFrom(broadcastConfig),
    random: Math.random,
    sleep: abortableSleep,
    render: (b) => broadcasts.render(b),
    haltMs: broadcastConfig.BROADCAST_HALT_HOURS * 3_600_000,
    maxAttempts: broadcastConfig.BROADCAST_MAX_ATTEMPTS,
    async onFinished(id) {
      const view = broadcasts.view(id);
      const [channel, chat] = splitOrigin(view?.origin);
      const home = channels.find((c) => c.name === channel);
      if (view && chat && home?.broadcastFinished) await home.broadcastFinished(view, chat);
    },
  });
  const server = await buildServer({
    engine, doc, replies, logger,
    limits: { ipPerMinute: config.RATE_LIMIT_PER_MINUTE, userPerMinute: config.USER_RATE_LIMIT_PER_MINUTE },
    plugins: [
      (app: FastifyInstance) => metrics.instrument(app),
      metricsRoute(metrics, tokens),
      adminRoutes({ tokens, audit, broadcasts, chats, clock }),
      ...channels.filter((c) => c.routes).map((c) => (app: FastifyInstance) => c.routes!(app)),
    ],
  });
  let closed = false;
  let stopRetention: (() => void) | undefined;
  let metricsServer: Awaited<ReturnType<typeof listenMetrics>> | undefined;
  return {
    config, doc, db, engine, server, channels, broadcasts, worker, ops, metrics,
    async startChannels() {
      stopRetention = startRetention({ db, clock, log: logger, days: ops.QUESTION_LOG_DAYS, schedule: hooks.daily });
      if (ops.METRICS_PORT !== undefined) metricsServer = await listenMetrics(metrics, ops.METRICS_HOST, ops.METRICS_PORT);
      for (const c of channels) {
        await c.start();
        metrics.channelUp(c.name, true);
      }
      await worker.recover();
      worker.start(broadcastConfig.BROADCAST_POLL_MS);
    },
    async close() {
      if (closed) return;
      closed = true;
      stopRetention?.();
      await new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()));
      await worker.stop();
      for (const c of channels) await c.stop().catch((e: Error) => logger.error({ err: e, channel: c.name }, 'channel did not stop cleanly'));
      await server.close();
      db.close();
    },
  };
}

/** How long a stop may take (requests in flight, channels, the broadcaster) before the process gives up on it. */
const STOP_TIMEOUT_MS = 10_000;

async function run(): Promise<void> {
  let service: Service;
  try {
    service = await createService(process.env);
  } catch (e) {
    console.error(`policy-bot: cannot start: ${(e as Error).message}`);
    process.exit(1);
  }
  const { server, config } = service;
  server.log.info({ segmenter: config.SEGMENTER, policy: service.doc.versionTag, db: config.DB_PATH }, 'policy brain loaded');
  let stopping = false;
  // fastify's close stops accepting, lets requests in flight finish (answering 503 to new ones on
  // open keep-alive connections), then the database closes: its WAL is checkpointed and removed.
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.log.info({ signal }, 'shutting down: finishing requests in flight');
    setTimeout(() => {
      server.log.error({ timeoutMs: STOP_TIMEOUT_MS }, 'did not stop in time; exiting anyway');
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
    try {
      await service.close();
    } catch (e) {
      server.log.error({ err: e }, 'did not stop cleanly');
      process.exit(1);
    }
    server.log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  try {
    await server.listen({ port: config.PORT, host: config.HOST });
  } catch (e) {
    console.error(`policy-bot: cannot listen on ${config.HOST}:${config.PORT}: ${(e as Error).message}`);
    await service.close().catch(() => undefined);
    process.exit(1);
  }
  await service.startChannels();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void run();
