// The production path: the real wechaty with wechaty-puppet-service, talking gRPC to the
// library's own PuppetServer on 127.0.0.1, which serves a wechaty-puppet-mock account (the way a
// WeCom gateway serves a real one). Plain gRPC and TLS (the library's default test certificates,
// which name the server "insecure": hence the token's "insecure_" prefix). The puppet service
// goes down and comes back; outages "longer than a minute" move a test clock.
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mock, PuppetMock } from 'wechaty-puppet-mock';
import { PuppetServer } from 'wechaty-puppet-service';
import { projectRoot } from '../../../policy/index.js';
import { createBroadcastService } from '../../../src/broadcast/service.js';
import { createBroadcastWorker } from '../../../src/broadcast/worker.js';
import type { ChannelDeps } from '../../../src/channels/channel.js';
import { readWechatSettings } from '../../../src/channels/wechat/index.js';
import { buildWechatChannel, type WechatChannel } from '../../../src/channels/wechat/wechat-channel.js';
import type { Logger } from '../../../src/core/ports.js';
import { loadReplies } from '../../../src/dialog/replies.js';
import { createChannelHealth, type ChannelHealthRegistry } from '../../../src/health/channel-health.js';
import { createService, type Service } from '../../../src/main.js';
import { SqliteAuditLog } from '../../../src/store/sqlite-admin.js';
import { SqliteChatRegistry } from '../../../src/store/sqlite-chat-registry.js';
import { SqliteOutbox } from '../../../src/store/sqlite-outbox.js';
import { SqliteQuestionStats } from '../../../src/store/sqlite-question-stats.js';
import { SqliteProcessedEvents } from '../../../src/store/sqlite-stores.js';
import { freePort } from '../../load/service-process.js';
import { TestClock, until } from './harness.js';

const BOT_NAME = '政策助手';
const replies = loadReplies(join(projectRoot(), 'intents', 'replies.yaml'));
const quiet: Logger = { info() {}, warn() {}, error() {}, debug() {} };

/** The puppet service side: one mock account in one group, served over gRPC. */
class ServiceSide {
  readonly mocker = new mock.Mocker();
  readonly puppet = new PuppetMock({ mocker: this.mocker });
  readonly bot = this.mocker.createContact({ id: 'wxid_bot', name: BOT_NAME });
  readonly alice = this.mocker.createContact({ id: 'wxid_alice', name: 'Alice' });
  readonly owner = this.mocker.createContact({ id: 'wxid_owner', name: '群主老陈' });
  readonly room = this.mocker.createRoom({ topic: '鼓楼区专精特新企业群', memberIdList: ['wxid_bot', 'wxid_alice', 'wxid_owner'], ownerId: 'wxid_owner' });
  /** What the bot said in the group, in order. */
  readonly inRoom: string[] = [];
  private server?: PuppetServer;

  constructor(readonly endpoint: string, readonly token: string, readonly tls: boolean) {
    (this.room as unknown as EventEmitter).on('message', (m: mock.MessageMock) => {
      if (m.talker().id === this.bot.id) this.inRoom.push(m.text() ?? '');
    });
  }

  async up(): Promise<void> {
    this.server = new PuppetServer({ endpoint: this.endpoint, puppet: this.puppet, token: this.token, tls: { disable: !this.tls } } as ConstructorParameters<typeof PuppetServer>[0]);
    await this.server.start();
  }

  /** The service process dies: connections are cut, the account stays logged in there. */
  async down(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }

  ask(text: string): void {
    this.alice.say(`@${BOT_NAME}\u2005${text}`, [this.bot]).to(this.room);
  }
}

/**
 * A TCP relay between the bot and the puppet service that can go silent: it stops passing
 * bytes without closing anything, as a network that drops packets does.
 */
class Relay {
  silent = false;
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  port = 0;

  constructor(private readonly target: number) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      this.sockets.add(client);
      client.on('error', () => undefined).on('close', () => this.sockets.delete(client));
      if (this.silent) return;
      const upstream = connect(this.target, '127.0.0.1');
      this.sockets.add(upstream);
      upstream.on('error', () => undefined).on('close', () => this.sockets.delete(upstream));
      client.on('data', (d) => void (this.silent || upstream.write(d)));
      upstream.on('data', (d) => void (this.silent || client.write(d)));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** The network heals: what was held is cut (as its peers' timeouts would), new connections pass. */
  heal(): void {
    this.silent = false;
    for (const s of this.sockets) s.destroy();
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

interface World {
  side: ServiceSide;
  service: Service;
  channel: WechatChannel;
  health: ChannelHealthRegistry;
  clock: TestClock;
  alerts: string[];
  dataDir: string;
}

const worlds: World[] = [];

async function startWorld(tls: boolean, relay?: (servicePort: number) => Promise<number>, serviceDownAtStart = false): Promise<World> {
  const port = await freePort();
  const token = `insecure_${randomUUID()}`;
  const side = new ServiceSide(`127.0.0.1:${port}`, token, tls);
  await side.puppet.start();
  side.mocker.login(side.bot);
  if (!serviceDownAtStart) await side.up();
  const endpoint = `127.0.0.1:${relay ? await relay(port) : port}`;

  const dataDir = mkdtempSync(join(tmpdir(), 'wechat-service-'));
  const service = await createService({ DB_PATH: join(dataDir, 'bot.db'), LOG_LEVEL: 'silent' });
  const clock = new TestClock();
  const alerts: string[] = [];
  const staff = { alert: async (text: string) => void alerts.push(text) };
  // Polled often so a moved clock shows at once; the threshold is the default minute.
  const health = createChannelHealth({ clock, alerts: staff, replies, log: quiet, outageAlertMs: 60_000, pollMs: 50 });
  const deps: ChannelDeps = {
    engine: service.engine, replies, questionStats: new SqliteQuestionStats(service.db), doc: service.doc, db: service.db,
    chats: new SqliteChatRegistry(service.db), events: new SqliteProcessedEvents(service.db), clock, log: quiet, dataDir,
    alerts: staff, health,
  };
  const settings = readWechatSettings({
    WECHATY_PUPPET: 'wechaty-puppet-service', WECHATY_PUPPET_SERVICE_TOKEN: token, WECHATY_PUPPET_SERVICE_ENDPOINT: endpoint,
    WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: tls ? 'false' : 'true', WECHAT_BOT_NAME: 'test-bot',
  })!;
  const channel = buildWechatChannel(settings, deps, {
    printQr: () => undefined, reconnect: { firstMs: 100, maxMs: 1_000 },
    // The mock answers a ding a second later.
    keepalive: { everyMs: 300, silenceMs: 4_000 },
  });
  health.start();
  const world = { side, service, channel, health, clock, alerts, dataDir };
  worlds.push(world);
  await channel.start();
  if (!serviceDownAtStart) await until(() => channel.loggedIn(), 'the bot to log in through the puppet service');
  return world;
}

afterEach(async () => {
  for (const w of worlds.splice(0)) {
    await w.channel.stop();
    w.health.stop();
    await w.side.down();
    await w.side.puppet.stop();
    await w.service.close();
    rmSync(w.dataDir, { recursive: true, force: true });
  }
});

const wechatState = (w: World) => w.health.statuses().find((s) => s.channel === 'wechat')?.state;

async function answered(w: World, question: string, expected: string): Promise<void> {
  const before = w.side.inRoom.length;
  w.side.ask(question);
  await until(() => w.side.inRoom.slice(before).some((t) => t.includes(expected)), `an answer to ${question}`, 30_000);
}

describe.each([
  { name: 'plain gRPC', tls: false },
  { name: 'TLS', tls: true },
])('WeChat through a puppet service ($name)', ({ tls }) => {
  it('answers, rides out a short outage without a word to the staff, and answers again', async () => {
    const w = await startWorld(tls);
    await answered(w, '小巨人配套奖励多少', '50%');
    expect(wechatState(w)).toBe('connected');

    await w.side.down();
    // Seen at once, not after wechaty's 60 s watchdog.
    await until(() => wechatState(w) === 'reconnecting', 'the lost connection to show');
    expect(w.channel.loggedIn()).toBe(false);
    // At least one attempt finds nobody there (and is tried again).
    await until(() => /ECONNREFUSED|UNAVAILABLE/.test(w.health.statuses().find((s) => s.channel === 'wechat')?.detail ?? ''), 'a refused reconnection attempt');
    await w.side.up();
    await until(() => w.channel.loggedIn(), 'the reconnection', 30_000);
    expect(wechatState(w)).toBe('connected');
    await answered(w, '技改补助需要什么条件', '300万元');

    await w.health.check();
    // Nothing to tell: no "logged out", no "rescan", no outage.
    expect(w.alerts).toEqual([]);
  }, 90_000);

  it('tells the staff once when an outage passes a minute and once when it ends; a broadcast sent meanwhile arrives once, afterwards', async () => {
    const w = await startWorld(tls);
    const outbox = new SqliteOutbox(w.service.db);
    const chats = new SqliteChatRegistry(w.service.db);
    const broadcasts = createBroadcastService({ outbox, chats, audit: new SqliteAuditLog(w.service.db), clock: w.clock, doc: w.service.doc, replies });
    const worker = createBroadcastWorker({
      outbox, clock: w.clock, replies, senders: [w.channel.broadcastSender], log: quiet,
      pacing: { wechat: { minGapMs: 0, maxGapMs: 0, longPauseEvery: 0, longPauseMs: 0 } },
      random: Math.random, sleep: async () => {}, alerts: { alert: async (text) => void w.alerts.push(text) },
      render: (b) => broadcasts.render(b), haltMs: 3_600_000, maxAttempts: 3,
    });
    await until(() => chats.get('wechat', w.side.room.id) !== undefined, 'the group to be recorded at login');

    await w.side.down();
    await until(() => wechatState(w) === 'reconnecting', 'the lost connection to show');
    const created = broadcasts.create({ title: '申报提醒', text: '技改补助开始申报。', targets: { channel: 'wechat' } }, 'test');
    await worker.tick();
    await worker.tick();
    expect(broadcasts.view(created.id)).toMatchObject({ status: 'sending', counts: { queued: 1 } });

    w.clock.advance(30_000);
    await w.health.check();
    expect(w.alerts).toEqual([]);
    w.clock.advance(31_000);
    await until(() => w.alerts.length > 0, 'the outage alert');
    await w.health.check();
    expect(w.alerts).toHaveLength(1);
    expect(w.alerts[0]).toContain('【微信机器人】与平台的连接已中断1分钟');
    expect(w.alerts[0]).toContain('无需扫码');

    await w.side.up();
    await until(() => w.alerts.length === 2, 'the all-clear', 30_000);
    expect(w.alerts[1]).toContain('【微信机器人】连接已恢复');
    await worker.tick();
    await until(() => w.side.inRoom.some((t) => t.includes('技改补助开始申报')), 'the broadcast in the group');
    await worker.tick();
    expect(w.side.inRoom.filter((t) => t.includes('【申报提醒】'))).toHaveLength(1);
    expect(broadcasts.view(created.id)).toMatchObject({ status: 'done', counts: { sent: 1 } });
    await answered(w, '政策有效期到什么时候', '2026');
    // Two alerts in all: none for the broadcast, no "logged out", no "rescan".
    expect(w.alerts).toHaveLength(2);
  }, 120_000);

  it('stops cleanly: no alert, and the account stays logged in on the puppet service; its cache is in the data folder', async () => {
    const w = await startWorld(tls);
    await answered(w, '小巨人配套奖励多少', '50%');
    await w.channel.stop();
    expect(w.side.puppet.isLoggedIn).toBe(true);
    expect(w.alerts).toEqual([]);
    // The payload cache: under the data folder, named by a hash; nothing under $HOME by the token.
    const cacheRoot = join(w.dataDir, 'test-bot.puppet-cache');
    expect(readdirSync(cacheRoot)).toHaveLength(1);
    expect(readdirSync(cacheRoot)[0]).not.toContain(w.side.token);
    expect(existsSync(join(homedir(), '.wechaty', 'wechaty-puppet-service', w.side.token))).toBe(false);
  }, 60_000);
});

it('notices a connection that went silent without closing, and reconnects once the network heals', async () => {
  let relay: Relay | undefined;
  const w = await startWorld(false, async (servicePort) => {
    relay = new Relay(servicePort);
    await relay.start();
    return relay.port;
  });
  try {
    await answered(w, '小巨人配套奖励多少', '50%');
    relay!.silent = true;
    // No error, no end: only the keepalive's silence shows it.
    await until(() => wechatState(w) === 'reconnecting', 'the silence to be noticed', 30_000);
    expect(w.health.statuses().find((s) => s.channel === 'wechat')?.detail).toContain('silent');
    relay!.heal();
    await until(() => w.channel.loggedIn(), 'the reconnection', 30_000);
    await answered(w, '技改补助需要什么条件', '300万元');
    expect(w.alerts).toEqual([]);
  } finally {
    await relay?.stop();
  }
}, 90_000);

it('starts while the puppet service is down: tells the staff once, keeps trying, logs in and says so when it comes up', async () => {
  const w = await startWorld(false, undefined, true);
  await until(() => w.alerts.length > 0, 'the start failure alert', 30_000);
  expect(w.alerts[0]).toContain('【微信机器人】无法启动');
  expect(wechatState(w)).toBe('reconnecting');
  await until(() => /ECONNREFUSED|UNAVAILABLE/.test(w.health.statuses().find((s) => s.channel === 'wechat')?.detail ?? ''), 'a refused attempt');
  await w.side.up();
  await until(() => w.channel.loggedIn(), 'the login once the service is up', 30_000);
  await answered(w, '小巨人配套奖励多少', '50%');
  await until(() => w.alerts.length === 2, 'the all-clear');
  expect(w.alerts[1]).toContain('【微信机器人】连接已恢复');
  await w.health.check();
  expect(w.alerts).toHaveLength(2);
}, 90_000);
