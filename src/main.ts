import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { projectRoot, type PolicyDocument } from '../policy/index.js';
import type { Channel, ChannelDeps } from './channels/channel.js';
import { createFeishuChannel } from './channels/feishu/index.js';
import { createWechatChannel } from './channels/wechat/index.js';
import { seedToken } from './admin/tokens.js';
import { pacingFrom, readBroadcastConfig } from './broadcast/config.js';
import { createBroadcastService, type BroadcastService } from './broadcast/service.js';
import { abortableSleep, createBroadcastWorker, type BroadcastWorker } from './broadcast/worker.js';
import { readConfig, type Config } from './config.js';
import { systemClock, type Clock } from './core/ports.js';
import { SECRET_ENV, secretRedactor } from './core/redact.js';
import { createChannelHealth, type ChannelHealthRegistry } from './health/channel-health.js';
import { readHealthConfig } from './health/config.js';
import { createDialogEngine, type DialogEngine } from './dialog/engine.js';
import { loadReplies } from './dialog/replies.js';
import { createValidityEngine, eligibilityAsOf, loadValidityTexts } from './dialog/validity.js';
import { createPolicyLibrary, reloadAndReport, type PolicyLibrary, type ReloadReport } from './lifecycle/library.js';
import { createExpiryReminders, policyStatusText, type ExpiryReminders } from './lifecycle/reminders.js';
import { SqlitePolicyReminders } from './store/sqlite-policy-reminders.js';
import type { ConversationState } from './dialog/state.js';
import { loadNlu } from './nlu/index.js';
import { adminRoutes } from './server/admin-routes.js';
import { buildServer } from './server/build-server.js';
import { redactSecrets } from './server/log-redaction.js';
import { openDatabase, type Db } from './store/database.js';
import { SqliteAdminTokens, SqliteAuditLog, SqliteUserRoles } from './store/sqlite-admin.js';
import { SqliteChatRegistry } from './store/sqlite-chat-registry.js';
import { SqliteOutbox } from './store/sqlite-outbox.js';
import { SqliteQuestionStats } from './store/sqlite-question-stats.js';
import { SqliteProcessedEvents } from './store/sqlite-stores.js';
import { createGroupCommit } from './store/group-commit.js';
import { startCheckpointer, type Checkpointer } from './store/checkpointer.js';
import { webRoutes } from './web/index.js';
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
  /** The policy documents, the one in force by date, reload. */
  policies: PolicyLibrary;
  reminders: ExpiryReminders;
  /** Reloads policy/documents (SIGHUP, the admin route): a bad folder is refused, logged and reported to staff. */
  reloadPolicies(trigger: string): Promise<ReloadReport>;
  /** Each channel's connection state (GET /readyz; metrics may read it too). */
  health: ChannelHealthRegistry;
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

export interface ServiceOptions {
  /** Channels built by the caller on the service's own deps (tests: WeChat on a puppet they drive). */
  extraChannels?: (deps: ChannelDeps) => Channel[];
  /** When the daily question-log retention runs (tests: a controllable schedule). */
  daily?: DailySchedule;
}

/** Wires everything from an environment-like record; starts nothing that listens. */
export async function createService(env: Record<string, string | undefined>, clock: Clock = systemClock, options: ServiceOptions = {}): Promise<Service> {
  const config = readConfig(env);
  const broadcastConfig = readBroadcastConfig(env);
  const healthConfig = readHealthConfig(env);
  const ops = readOpsConfig(env);
  const root = projectRoot();
  const policies = await createPolicyLibrary({
    dir: config.POLICY_DIR ?? join(root, 'policy', 'documents'), clock, pinned: config.POLICY_DOCUMENT,
    loadNlu: (d) => loadNlu({ segmenter: config.SEGMENTER, root, doc: d }),
  });
  // Parts that hold one document (broadcasts, channels, the measures API) follow the one in force.
  const doc = policies.live;
  const replies = loadReplies(join(root, 'intents', 'replies.yaml'));
  const texts = loadValidityTexts(join(root, 'intents', 'validity-replies.yaml'));
  const db = openDatabase(config.DB_PATH);
  const metrics = createMetrics(db);
  // Secrets never reach the logs: a formatter for fields named like secrets (cheaper than redact
  // paths), and every line scrubbed of the secrets' values, which libraries echo inside messages
  // (a puppet service's "Invalid Wechaty TOKEN …").
  const redact = secretRedactor(SECRET_ENV.map((name) => env[name]));
  const logger = pino({ level: config.LOG_LEVEL, formatters: { log: redactSecrets }, hooks: { streamWrite: redact } });
  // One transaction per event-loop pass for every turn's state and log row; replies wait for it.
  const writes = createGroupCommit<ConversationState>(db, {
    clock: () => clock.now(),
    onError: (e, turns) => logger.error({ err: e, turns }, 'group commit failed; its turns are answered with an error'),
  });
  const { states, questions } = writes;
  const validityEngine = createValidityEngine({
    documents: policies.documents, pinned: config.POLICY_DOCUMENT, states, replies, texts, clock,
    engineFor: (d, store) => createDialogEngine({ doc: d, nlu: policies.nluOf(d), replies, clock, states: store, questions, idleMs: config.DIALOG_IDLE_MINUTES * 60_000 }),
  });
  const engine: DialogEngine = meteredEngine({ handle: (turn) => validityEngine.handle(turn), committed: writes.committed }, metrics);
  const chats = new SqliteChatRegistry(db);
  const tokens = new SqliteAdminTokens(db);
  const audit = new SqliteAuditLog(db);
  const roles = new SqliteUserRoles(db);
  const outbox = new SqliteOutbox(db);
  seedToken(tokens, broadcastConfig.ADMIN_TOKEN, clock.now());
  const broadcasts = createBroadcastService({ outbox, chats, audit, clock, doc, replies });
  let staffAlerts: Channel['staffAlerts'];
  const alerts = {
    async alert(text: string) {
      const safe = redact(text);
      logger.warn({ alert: safe }, 'staff alert');
      await staffAlerts?.alert(safe);
    },
  };
  const health = createChannelHealth({ clock, alerts, replies, log: logger, outageAlertMs: healthConfig.CHANNEL_OUTAGE_ALERT_SECONDS * 1000 });
  const deps: ChannelDeps = {
    engine, replies, doc, db, clock, log: logger, chats, broadcasts, roles, alerts, health, redact, metrics,
    policyStatus: () => policyStatusText(texts, policies.documents(), policies.inForce(), policies.today()),
    questionStats: new SqliteQuestionStats(db),
    events: new SqliteProcessedEvents(db),
    dataDir: dirname(config.DB_PATH),
  };
  const channels = (await Promise.all([createWechatChannel(env, deps), createFeishuChannel(env, deps)])).filter((c): c is Channel => c !== null);
  channels.push(...(options.extraChannels?.(deps) ?? []));
  staffAlerts = channels.find((c) => c.staffAlerts)?.staffAlerts;
  for (const name of ['wechat', 'feishu']) if (!channels.some((c) => c.name === name)) health.report(name, 'disabled', 'not configured');
  const worker = createBroadcastWorker({
    outbox, clock, log: logger, replies, alerts,
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
  const reminders = createExpiryReminders({
    inForce: () => policies.inForce(), today: policies.today, now: () => clock.now(),
    log: new SqlitePolicyReminders(db), alerts: deps.alerts, logger, texts,
  });
  const reloadPolicies = (trigger: string) => reloadAndReport(policies, logger, deps.alerts, texts, trigger);
  const server = await buildServer({
    engine, doc, replies, logger,
    lifecycle: {
      documents: () => policies.summary(),
      eligibility: (result) => eligibilityAsOf(texts, policies.inForce(), policies.today(), result),
    },
    channelStatus: () => health.statuses(),
    limits: { ipPerMinute: config.RATE_LIMIT_PER_MINUTE, userPerMinute: config.USER_RATE_LIMIT_PER_MINUTE },
    plugins: [
      (app: FastifyInstance) => metrics.instrument(app),
      metricsRoute(metrics, tokens),
      adminRoutes({ tokens, audit, broadcasts, chats, clock, policies: { summary: () => policies.summary(), reload: reloadPolicies } }),
      webRoutes({ engine, doc: () => policies.inForce(), replies, clock, db, tokens, audit, broadcasts, chats, questionStats: deps.questionStats, policies: { summary: () => policies.summary(), reload: reloadPolicies } }),
      ...channels.filter((c) => c.routes).map((c) => (app: FastifyInstance) => c.routes!(app)),
    ],
  });
  let closed = false;
  let stopRetention: (() => void) | undefined;
  let metricsServer: Awaited<ReturnType<typeof listenMetrics>> | undefined;
  let checkpointer: Checkpointer | undefined;
  return {
    config, doc, db, engine, server, channels, broadcasts, worker, policies, reminders, reloadPolicies, health, ops, metrics,
    async startChannels() {
      health.start();
      checkpointer = startCheckpointer(db, { onError: (message) => logger.warn({ err: message }, 'checkpoint worker failed; checkpointing on the main thread') });
      stopRetention = startRetention({ db, clock, log: logger, days: ops.QUESTION_LOG_DAYS, schedule: options.daily });
      if (ops.METRICS_PORT !== undefined) metricsServer = await listenMetrics(metrics, ops.METRICS_HOST, ops.METRICS_PORT);
      for (const c of channels) {
        await c.start();
        metrics.channelUp(c.name, true);
      }
      reminders.start(REMINDER_CHECK_MS);
      await worker.recover();
      worker.start(broadcastConfig.BROADCAST_POLL_MS);
    },
    async close() {
      if (closed) return;
      closed = true;
      reminders.stop();
      health.stop();
      stopRetention?.();
      await new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()));
      await worker.stop();
      for (const c of channels) await c.stop().catch((e: Error) => logger.error({ err: e, channel: c.name }, 'channel did not stop cleanly'));
      await server.close();
      writes.flush();
      await checkpointer?.stop();
      db.close();
    },
  };
}

/** How often the expiry reminders are checked (they fire on the first check of the day they are due). */
const REMINDER_CHECK_MS = 60 * 60_000;

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
  server.log.info({ segmenter: config.SEGMENTER, policy: service.doc.versionTag, documents: service.policies.documents().map((d) => d.versionTag), db: config.DB_PATH }, 'policy brain loaded');
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
  // SIGHUP: re-read policy/documents without a restart (refused and reported if a document fails the check).
  process.on('SIGHUP', () => void service.reloadPolicies('SIGHUP'));
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
