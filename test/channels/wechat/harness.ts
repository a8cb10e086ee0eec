// A real wechaty on wechaty-puppet-mock, driving the WeChat channel wired to a real service
// (createService: NLU, dialog engine, SQLite file). People are mock contacts who speak in a
// mock group or privately; everything the bot says is recorded per conversation.
import type { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { types } from 'wechaty';
import { mock, PuppetMock } from 'wechaty-puppet-mock';
import { projectRoot } from '../../../policy/index.js';
import { readWechatSettings } from '../../../src/channels/wechat/index.js';
import { buildWechatChannel, type WechatChannel } from '../../../src/channels/wechat/wechat-channel.js';
import type { ChannelDeps } from '../../../src/channels/channel.js';
import type { Clock, Logger } from '../../../src/core/ports.js';
import { loadReplies } from '../../../src/dialog/replies.js';
import { createService, type Service } from '../../../src/main.js';
import { SqliteChatRegistry } from '../../../src/store/sqlite-chat-registry.js';
import { SqliteProcessedEvents } from '../../../src/store/sqlite-stores.js';
import { SqliteQuestionStats } from '../../../src/store/sqlite-question-stats.js';

export const BOT_NAME = '政策助手';
type ContactMock = mock.ContactMock;
type RoomMock = mock.RoomMock;

/** The mock's emitters are typed with a package that is not installed; they are plain EventEmitters. */
function onMessage(target: ContactMock | RoomMock, listener: (m: mock.MessageMock) => void): void {
  (target as unknown as EventEmitter).on('message', listener);
}

const quiet: Logger = { info() {}, warn() {}, error() {}, debug() {} };

/** Waits for a condition the test can observe (a reply arriving), never for a fixed time. */
export async function until(condition: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A clock the test can move forward (the per-person burst window); starts at the real time. */
export class TestClock implements Clock {
  private offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

export interface Harness {
  service: Service;
  channel: WechatChannel;
  chats: SqliteChatRegistry;
  mocker: mock.Mocker;
  puppet: PuppetMock;
  clock: TestClock;
  bot: ContactMock;
  owner: ContactMock;
  alice: ContactMock;
  bob: ContactMock;
  carol: ContactMock;
  room: RoomMock;
  alerts: string[];
  qrCodes: string[];
  dataDir: string;
  /** What the bot said in the group, in order. */
  inRoom(): string[];
  /** What the bot said to this person in private, in order. */
  toPerson(person: ContactMock): string[];
  /** Ids of the messages people sent, in order (to re-deliver one). */
  sent: { id: string; from: string; text: string }[];
  /** A person speaks in the group; with `mention` the bot is @-mentioned as WeChat does it. */
  sayInGroup(person: ContactMock, text: string, mention?: boolean): void;
  sayPrivately(person: ContactMock, text: string): void;
  /** A private non-text message (a photo). */
  sendImage(person: ContactMock): void;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Reuse a data folder (a restart of the same deployment). */
  dataDir?: string;
  /** Log the bot in right away (default) or leave it waiting for a scan. */
  login?: boolean;
  /** Contact ids the puppet reports as the group's admins (people are wxid_owner, wxid_alice, wxid_bob, wxid_carol). */
  groupAdmins?: string[];
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'wechat-'));
  const service = await createService({ DB_PATH: join(dataDir, 'bot.db'), LOG_LEVEL: 'silent' });
  const clock = new TestClock();
  const chats = new SqliteChatRegistry(service.db);
  const alerts: string[] = [];
  const deps: ChannelDeps = {
    engine: service.engine, replies: loadReplies(join(projectRoot(), 'intents', 'replies.yaml')), questionStats: new SqliteQuestionStats(service.db),
    doc: service.doc, db: service.db, chats, clock, log: quiet, dataDir,
    events: new SqliteProcessedEvents(service.db),
    alerts: { alert: async (text) => void alerts.push(text) },
  };
  const settings = readWechatSettings({ WECHATY_PUPPET: 'wechaty-puppet-mock', WECHAT_BOT_NAME: 'test-bot', ...options.env });
  if (!settings) throw new Error('settings expected');

  const mocker = new mock.Mocker();
  const puppet = new PuppetMock({ mocker });
  const bot = mocker.createContact({ id: 'wxid_bot', name: BOT_NAME });
  const [owner, alice, bob, carol] = (['owner:群主老陈', 'alice:Alice', 'bob:Bob', 'carol:Carol'])
    .map((s) => s.split(':'))
    .map(([id, name]) => mocker.createContact({ id: `wxid_${id}`, name }));
  const room = mocker.createRoom({
    topic: '鼓楼区专精特新企业群',
    memberIdList: [bot, owner, alice, bob, carol].map((c) => c.id),
    ownerId: owner.id,
    adminIdList: options.groupAdmins ?? [],
  });

  const qrCodes: string[] = [];
  const channel = buildWechatChannel(settings, deps, { puppet, printQr: (q) => qrCodes.push(q) });

  const roomLog: string[] = [];
  const privateLog = new Map<string, string[]>();
  const sent: Harness['sent'] = [];
  onMessage(room, (m) => {
    if (m.talker().id === bot.id) roomLog.push(m.text() ?? '');
    else sent.push({ id: m.id, from: m.talker().id, text: m.text() ?? '' });
  });
  for (const person of [owner, alice, bob, carol]) {
    privateLog.set(person.id, []);
    onMessage(person, (m) => {
      if (m.talker().id === bot.id && m.listener()?.id === person.id) privateLog.get(person.id)!.push(m.text() ?? '');
    });
  }

  await channel.start();
  if (options.login !== false) {
    mocker.login(bot);
    await until(() => channel.loggedIn(), 'the bot to log in');
  }

  return {
    service, channel, chats, mocker, puppet, clock, bot, owner, alice, bob, carol, room, alerts, qrCodes, dataDir, sent,
    inRoom: () => [...roomLog],
    toPerson: (person) => [...(privateLog.get(person.id) ?? [])],
    sayInGroup(person, text, mention = true) {
      person.say(mention ? `@${BOT_NAME}\u2005${text}` : text, mention ? [bot] : []).to(room);
    },
    sayPrivately(person, text) {
      person.say(text).to(bot);
    },
    sendImage(person) {
      const msg = mocker.MessageMock.create({
        id: `img-${sent.length}-${Date.now()}`, talkerId: person.id, listenerId: bot.id, timestamp: Date.now(), type: types.Message.Image,
      } as never);
      puppet.emit('message', { messageId: msg.id });
    },
    async close() {
      await channel.stop();
      await service.close();
    },
  };
}
