// A broadcast to WeChat groups through the real wechaty and its mock puppet: the groups are
// registered by the channel as people talk in them, one is tagged elsewhere, one unsubscribes,
// and the notice reaches exactly the subscribed groups of the district.
import type { EventEmitter } from 'node:events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { mock } from 'wechaty-puppet-mock';
import { createBroadcastService } from '../../src/broadcast/service.js';
import { createBroadcastWorker } from '../../src/broadcast/worker.js';
import { loadReplies } from '../../src/dialog/replies.js';
import { SqliteAuditLog } from '../../src/store/sqlite-admin.js';
import { SqliteOutbox } from '../../src/store/sqlite-outbox.js';
import { BOT_NAME, startHarness, until, type Harness } from '../channels/wechat/harness.js';

let h: Harness;
const received = new Map<string, string[]>();

function watch(room: mock.RoomMock) {
  received.set(room.id, []);
  (room as unknown as EventEmitter).on('message', (m: mock.MessageMock) => {
    if (m.talker().id === h.bot.id) received.get(room.id)!.push(m.text() ?? '');
  });
}

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

it('reaches the district\'s subscribed groups once each, skipping the one that unsubscribed', async () => {
  const members = [h.bot, h.owner, h.alice].map((c) => c.id);
  const second = h.mocker.createRoom({ topic: '鼓楼区企业二群', memberIdList: members, ownerId: h.owner.id });
  const other = h.mocker.createRoom({ topic: '仓山区企业群', memberIdList: members, ownerId: h.owner.id });
  for (const room of [h.room, second, other]) watch(room);
  // People talk in each group; the bot registers every group it hears from.
  for (const room of [h.room, second, other]) h.alice.say('大家好').to(room);
  await until(() => h.chats.list({ channel: 'wechat' }).length === 3, 'three registered groups');
  h.chats.setTags('wechat', h.room.id, ['鼓楼区']);
  h.chats.setTags('wechat', second.id, ['鼓楼区']);
  h.chats.setTags('wechat', other.id, ['仓山区']);
  // The owner of the second group opts out.
  h.owner.say(`@${BOT_NAME}\u2005退订通知`, [h.bot]).to(second);
  await until(() => h.chats.get('wechat', second.id)?.subscribed === false, 'the second group to unsubscribe');

  const replies = loadReplies(new URL('../../intents/replies.yaml', import.meta.url).pathname);
  const outbox = new SqliteOutbox(h.service.db);
  const clock = { now: () => Date.now() };
  const broadcasts = createBroadcastService({ outbox, chats: h.chats, audit: new SqliteAuditLog(h.service.db), clock, doc: h.service.doc, replies });
  const worker = createBroadcastWorker({
    outbox, clock, replies, senders: [h.channel.broadcastSender],
    log: { info() {}, warn() {}, error() {}, debug() {} },
    pacing: { wechat: { minGapMs: 0, maxGapMs: 0, longPauseEvery: 20, longPauseMs: 0 } },
    random: Math.random, sleep: async () => {}, alerts: { alert: async () => {} },
    render: (b) => broadcasts.render(b), haltMs: 3_600_000, maxAttempts: 3,
  });

  const created = broadcasts.create({ title: '申报提醒', text: '技改补助开始申报。', measures: ['3.1'], targets: { channel: 'wechat', tags: ['鼓楼区'] } }, 'test');
  expect(created.targets).toBe(1);
  expect(created.skipped).toEqual([{ channel: 'wechat', chat: second.id, name: '鼓楼区企业二群', reason: 'unsubscribed' }]);
  await worker.tick();
  await until(() => received.get(h.room.id)!.some((t) => t.includes('技改补助开始申报')), 'the notice in the district group');
  expect(received.get(h.room.id)!.filter((t) => t.includes('【申报提醒】'))).toHaveLength(1);
  expect(received.get(second.id)!.some((t) => t.includes('申报提醒'))).toBe(false);
  expect(received.get(other.id)).toEqual([]);
  expect(broadcasts.view(created.id)).toMatchObject({ status: 'done', counts: { sent: 1 } });
});
