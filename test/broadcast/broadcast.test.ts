import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadPolicyDocuments, selectPolicyDocument } from '../../policy/index.js';
import { pauseBefore, type Pacing } from '../../src/broadcast/pacing.js';
import { SendError, type BroadcastSender, type OutgoingMessage } from '../../src/broadcast/ports.js';
import { createBroadcastService, type BroadcastService } from '../../src/broadcast/service.js';
import { createBroadcastWorker, type BroadcastWorker } from '../../src/broadcast/worker.js';
import { loadReplies } from '../../src/dialog/replies.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { SqliteAuditLog } from '../../src/store/sqlite-admin.js';
import { SqliteChatRegistry } from '../../src/store/sqlite-chat-registry.js';
import { SqliteOutbox } from '../../src/store/sqlite-outbox.js';

const doc = selectPolicyDocument(loadPolicyDocuments());
const replies = loadReplies(new URL('../../intents/replies.yaml', import.meta.url).pathname);
const WECHAT_PACING: Pacing = { minGapMs: 3000, maxGapMs: 8000, longPauseEvery: 20, longPauseMs: 120_000 };
const silent = { info() {}, warn() {}, error() {}, debug() {} };

/** A channel's sender as the broadcaster sees it: records what arrived, can be told to fail. */
class RecordingSender implements BroadcastSender {
  readonly received: { chat: string; message: OutgoingMessage; key: string }[] = [];
  failures: (SendError | Error)[] = [];
  available?: () => boolean;
  constructor(readonly channel: string, readonly idempotent: boolean) {}
  async send(chat: string, message: OutgoingMessage, key: string) {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.received.push({ chat, message, key });
  }
}

interface World {
  db: Db;
  dbPath: string;
  now: { t: number };
  waits: number[];
  alerts: string[];
  wechat: RecordingSender;
  feishu: RecordingSender;
  service: BroadcastService;
  worker: BroadcastWorker;
  chats: SqliteChatRegistry;
}

function makeWorld(dbPath = join(mkdtempSync(join(tmpdir(), 'broadcast-')), 'bot.db'), now = { t: Date.parse('2026-12-01T09:00:00+08:00') }): World {
  const db = openDatabase(dbPath);
  const clock = { now: () => now.t };
  const waits: number[] = [];
  const alerts: string[] = [];
  const wechat = new RecordingSender('wechat', false);
  const feishu = new RecordingSender('feishu', true);
  const chats = new SqliteChatRegistry(db);
  const outbox = new SqliteOutbox(db);
  const service = createBroadcastService({ outbox, chats, audit: new SqliteAuditLog(db), clock, doc, replies });
  const worker = createBroadcastWorker({
    outbox, clock, replies, log: silent, senders: [wechat, feishu],
    pacing: { wechat: WECHAT_PACING, feishu: { minGapMs: 250, maxGapMs: 250, longPauseEvery: 0, longPauseMs: 0 } },
    random: () => 0.5,
    // Time passes only as the broadcaster waits: no real sleeping in tests.
    sleep: async (ms) => { waits.push(ms); now.t += ms; },
    alerts: { alert: async (text) => { alerts.push(text); } },
    render: (b) => service.render(b),
    haltMs: 6 * 3_600_000,
    maxAttempts: 3,
  });
  return { db, dbPath, now, waits, alerts, wechat, feishu, service, worker, chats };
}

function addGroups(w: World, channel: string, count: number, tags: string[] = []) {
  for (let i = 0; i < count; i++) {
    const id = `${channel}-${tags[0] ?? 'g'}-${i}@chatroom`;
    w.chats.seen({ channel, id, kind: 'group', name: `${tags[0] ?? ''}企业群${i}` }, w.now.t);
    if (tags.length) w.chats.setTags(channel, id, tags);
  }
}

let w: World;
beforeEach(() => {
  w = makeWorld();
});

describe('targeting', () => {
  it('reaches the chats of a channel with a tag, skips and reports unsubscribed ones', async () => {
    addGroups(w, 'wechat', 3, ['鼓楼区']);
    addGroups(w, 'wechat', 2, ['仓山区']);
    addGroups(w, 'feishu', 1, ['鼓楼区']);
    w.chats.setSubscribed('wechat', 'wechat-鼓楼区-1@chatroom', false);
    const created = w.service.create({ text: '申报通知', targets: { channel: 'wechat', tags: ['鼓楼区'] } }, 'tester');
    expect(created.targets).toBe(2);
    expect(created.skipped).toEqual([{ channel: 'wechat', chat: 'wechat-鼓楼区-1@chatroom', name: '鼓楼区企业群1', reason: 'unsubscribed' }]);
    await w.worker.tick();
    expect(w.wechat.received.map((r) => r.chat).sort()).toEqual(['wechat-鼓楼区-0@chatroom', 'wechat-鼓楼区-2@chatroom']);
    expect(w.feishu.received).toEqual([]);
    expect(w.service.view(created.id)).toMatchObject({ status: 'done', counts: { sent: 2 } });
  });

  it('targets named chats on every channel, and reports unknown ids', async () => {
    addGroups(w, 'wechat', 2);
    addGroups(w, 'feishu', 2);
    const created = w.service.create({ text: '通知', targets: { channel: 'all', chats: ['wechat-g-1@chatroom', 'feishu-g-0@chatroom', 'nope'] } }, 'tester');
    expect(created.targets).toBe(2);
    expect(created.skipped).toEqual([{ channel: 'all', chat: 'nope', name: '', reason: 'unknown' }]);
    await w.worker.tick();
    expect(w.wechat.received.map((r) => r.chat)).toEqual(['wechat-g-1@chatroom']);
    expect(w.feishu.received.map((r) => r.chat)).toEqual(['feishu-g-0@chatroom']);
  });

  it('refuses a broadcast with nobody to reach or an unknown measure, in Chinese', () => {
    expect(() => w.service.create({ text: '通知', targets: { channel: 'wechat' } }, 't')).toThrow(/没有符合条件且已订阅的群/);
    addGroups(w, 'wechat', 1);
    expect(() => w.service.create({ text: '通知', measures: ['99'], targets: { channel: 'wechat' } }, 't')).toThrow(/没有这些措施编号：99/);
  });
});

describe('content', () => {
  it('renders attached measures from the policy and fills the validity reminder with the real date', async () => {
    addGroups(w, 'feishu', 1);
    w.service.create({ title: '到期提醒', text: replies.render('broadcastValidityReminder').replace(/《[^》]*》/, '《{docTitle}》'), measures: ['3.1'], targets: { channel: 'feishu' } }, 't');
    await w.worker.tick();
    const text = w.feishu.received[0].message.text;
    expect(text).toContain('【到期提醒】');
    expect(text).toContain('2026年12月31日');
    expect(text).toContain('还有30天'); // 2026-12-01 → 2026-12-31
    expect(text).toContain('300万元');
    expect(text).toContain('市工信局');
  });
});

describe('pacing', () => {
  it('waits a random gap between WeChat groups and a long pause every 20', () => {
    const waits = Array.from({ length: 45 }, (_, n) => pauseBefore(n, WECHAT_PACING, () => 0.5));
    expect(waits[0]).toBe(0);
    expect(waits[1]).toBe(5500);
    expect(waits[20]).toBe(120_000);
    expect(waits[40]).toBe(120_000);
    expect(waits.filter((x) => x === 120_000)).toHaveLength(2);
    expect(pauseBefore(3, WECHAT_PACING, () => 0)).toBe(3000);
    expect(pauseBefore(3, WECHAT_PACING, () => 0.999999)).toBe(8000);
  });

  it('sends to WeChat groups one at a time with those pauses', async () => {
    addGroups(w, 'wechat', 22);
    w.service.create({ text: '通知', targets: { channel: 'wechat' } }, 't');
    await w.worker.tick();
    expect(w.wechat.received).toHaveLength(22);
    expect(w.waits.filter((x) => x === 5500)).toHaveLength(20);
    expect(w.waits.filter((x) => x === 120_000)).toHaveLength(1);
  });
});

describe('scheduling, cancelling and platform refusals', () => {
  it('sends a scheduled broadcast only once its time has come', async () => {
    addGroups(w, 'feishu', 1);
    const created = w.service.create({ text: '通知', targets: { channel: 'feishu' }, at: w.now.t + 3_600_000 }, 't');
    await w.worker.tick();
    expect(w.feishu.received).toHaveLength(0);
    expect(w.service.view(created.id)?.status).toBe('scheduled');
    w.now.t += 3_600_000;
    await w.worker.tick();
    expect(w.feishu.received).toHaveLength(1);
  });

  it('a cancelled broadcast sends nothing more', async () => {
    addGroups(w, 'feishu', 2);
    const created = w.service.create({ text: '通知', targets: { channel: 'feishu' }, at: w.now.t + 60_000 }, 't');
    expect(w.service.cancel(created.id, 't')).toBe(true);
    w.now.t += 120_000;
    await w.worker.tick();
    expect(w.feishu.received).toHaveLength(0);
    expect(w.service.view(created.id)).toMatchObject({ status: 'cancelled', counts: { cancelled: 2 } });
  });

  it('stops WeChat for hours on "too frequent", tells the staff, and resumes later without duplicates', async () => {
    addGroups(w, 'wechat', 3);
    const created = w.service.create({ text: '通知', targets: { channel: 'wechat' } }, 't');
    w.wechat.failures = [new SendError('blocked', '发送消息过于频繁')];
    await w.worker.tick();
    expect(w.wechat.received).toHaveLength(0);
    expect(w.alerts.join()).toContain('发送消息过于频繁');
    w.now.t += 60_000;
    await w.worker.tick();
    expect(w.wechat.received).toHaveLength(0);
    w.now.t += 6 * 3_600_000;
    await w.worker.tick();
    expect(w.wechat.received.map((r) => r.chat).sort()).toEqual(['wechat-g-0@chatroom', 'wechat-g-1@chatroom', 'wechat-g-2@chatroom']);
    expect(w.service.view(created.id)?.status).toBe('done');
  });

  it('retries Feishu (idempotent) on a transient error but marks a WeChat failure uncertain', async () => {
    addGroups(w, 'feishu', 1);
    addGroups(w, 'wechat', 1);
    w.feishu.failures = [new Error('socket hang up')];
    w.wechat.failures = [new Error('socket hang up')];
    const created = w.service.create({ text: '通知', targets: { channel: 'all' } }, 't');
    await w.worker.tick();
    expect(w.feishu.received).toHaveLength(1);
    expect(w.wechat.received).toHaveLength(0);
    const byChannel = Object.fromEntries(w.service.view(created.id)!.deliveries.map((d) => [d.channel, d.status]));
    expect(byChannel).toEqual({ feishu: 'sent', wechat: 'uncertain' });
    // Finished with a group not surely reached: the staff are told which, once.
    expect(w.service.view(created.id)?.status).toBe('done');
    expect(w.alerts.filter((a) => a.includes('待人工核对1个'))).toHaveLength(1);
    expect(w.alerts.join()).toContain('企业群0');
  });

  it('keeps a send refused while WeChat is disconnected queued, not done, and delivers it once when back', async () => {
    addGroups(w, 'wechat', 2);
    let connected = true;
    w.wechat.available = () => connected;
    // The first group's send is refused before leaving (the connection just dropped).
    w.wechat.failures = [new SendError('unavailable', '14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1')];
    const created = w.service.create({ text: '通知', targets: { channel: 'wechat' } }, 't');
    const sendOnce = w.wechat.send.bind(w.wechat);
    w.wechat.send = async (chat, message, key) => {
      try {
        await sendOnce(chat, message, key);
      } catch (e) {
        connected = false;
        throw e;
      }
    };
    await w.worker.tick();
    expect(w.wechat.received).toHaveLength(0);
    expect(w.service.view(created.id)).toMatchObject({ status: 'sending', counts: { queued: 2 } });
    await w.worker.tick();
    expect(w.wechat.received).toHaveLength(0);
    // No halt and no alert: the outage has alerts of its own.
    expect(w.alerts).toEqual([]);
    connected = true;
    await w.worker.tick();
    expect(w.wechat.received.map((r) => r.chat).sort()).toEqual(['wechat-g-0@chatroom', 'wechat-g-1@chatroom']);
    expect(w.service.view(created.id)).toMatchObject({ status: 'done', counts: { sent: 2 } });
    expect(w.alerts).toEqual([]);
  });
});

describe('a crash in the middle', () => {
  it('resumes queued deliveries, resends nothing sent, and reports an interrupted WeChat send as uncertain', async () => {
    addGroups(w, 'wechat', 3);
    addGroups(w, 'feishu', 2);
    const created = w.service.create({ text: '通知', targets: { channel: 'all' } }, 't');
    const [first] = w.db.prepare(`SELECT id FROM deliveries WHERE channel = 'wechat' ORDER BY seq`).pluck().all() as string[];
    const [firstFeishu] = w.db.prepare(`SELECT id FROM deliveries WHERE channel = 'feishu' ORDER BY seq`).pluck().all() as string[];
    // The process dies after one WeChat delivery was sent and while the next of each channel was being sent.
    const outbox = new SqliteOutbox(w.db);
    outbox.startSending(created.id, w.service.render({ title: null, text: '通知', measures: [] }));
    outbox.mark(first, 'sending', w.now.t);
    outbox.mark(first, 'sent', w.now.t);
    const second = (w.db.prepare(`SELECT id FROM deliveries WHERE channel = 'wechat' ORDER BY seq`).pluck().all() as string[])[1];
    outbox.mark(second, 'sending', w.now.t);
    outbox.mark(firstFeishu, 'sending', w.now.t);
    w.db.close();

    const after = makeWorld(w.dbPath, w.now);
    await after.worker.recover();
    await after.worker.tick();
    expect(after.alerts.join()).toContain('无法确认是否送达');
    expect(after.wechat.received.map((r) => r.chat)).toEqual(['wechat-g-2@chatroom']);
    // Feishu dedupes by the delivery id, so the interrupted one is sent again with the same key.
    expect(after.feishu.received.map((r) => r.chat).sort()).toEqual(['feishu-g-0@chatroom', 'feishu-g-1@chatroom']);
    expect(after.feishu.received.find((r) => r.chat === 'feishu-g-0@chatroom')?.key).toBe(firstFeishu);
    const view = after.service.view(created.id)!;
    expect(view.counts).toMatchObject({ sent: 4, uncertain: 1 });
    expect(view.status).toBe('done');
  });
});
