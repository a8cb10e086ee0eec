// A burst of questions while a broadcast is going out, against the fake open platform: the rates
// the platform sees stay under Feishu's published limits with a margin (5/s per chat, 50/s per
// app; the service aims at 4 and 40), and every answer and notice arrives exactly once. Rates are
// counted per sliding window over the arrival times recorded at the fake, not timed in the test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../../src/main.js';
import { APP_ID, ENCRYPT_KEY, VERIFICATION_TOKEN, messageEvent, signedRequest } from './events.js';
import { BOT_OPEN_ID, FakeOpenPlatform } from './fake-open-platform.js';

const tmp = mkdtempSync(join(tmpdir(), 'feishu-burst-'));
const fake = new FakeOpenPlatform();
const GROUPS = 60;
const PRIVATE_ASKERS = 80;
const BUSY_GROUP_QUESTIONS = 12;
let svc: Service;

beforeAll(async () => {
  await fake.start();
  svc = await createService({
    DB_PATH: join(tmp, 'bot.db'), LOG_LEVEL: 'silent',
    FEISHU_APP_ID: APP_ID, FEISHU_APP_SECRET: 'app-secret', FEISHU_MODE: 'webhook', FEISHU_DOMAIN: fake.url,
    FEISHU_ENCRYPT_KEY: ENCRYPT_KEY, FEISHU_VERIFICATION_TOKEN: VERIFICATION_TOKEN,
    // No gap of its own: the broadcast goes as fast as the pacer lets it.
    BROADCAST_POLL_MS: '20', FEISHU_BROADCAST_GAP_MS: '0', USER_RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_PER_MINUTE: '0',
  });
  const insert = svc.db.prepare(`INSERT INTO chats (channel, id, kind, name, first_seen, last_seen) VALUES ('feishu', ?, 'group', ?, 0, 0)`);
  for (let i = 0; i < GROUPS; i++) insert.run(`oc_group_${i}`, `企业群${i}`);
  await svc.startChannels();
});

afterAll(async () => {
  await svc?.close();
  await fake.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** The most arrivals within any window of `windowMs` starting at an arrival. */
const maxInAnyWindow = (times: number[], windowMs: number) =>
  times.length ? Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length)) : 0;

describe('Feishu: a burst of questions during a broadcast', () => {
  it('stays within 40 sends per second for the app and 4 per chat where the platform sees them', async () => {
    const created = svc.broadcasts.create({ targets: { channel: 'feishu' }, text: '申报通知：即日起开始申报。' }, 'test');
    expect(created.targets).toBe(GROUPS);
    await fake.waitFor(() => fake.messages.some((m) => m.chatId?.startsWith('oc_group_')), 'the broadcast to start');

    const questions = [
      ...Array.from({ length: PRIVATE_ASKERS }, (_, i) => messageEvent({ chatId: `oc_p2p_${i}`, user: `ou_asker_${i}`, text: '技改补助需要什么条件？' })),
      ...Array.from({ length: BUSY_GROUP_QUESTIONS }, (_, i) => messageEvent({
        chatId: 'oc_busy', user: `ou_member_${i}`, text: '有效期到什么时候？', chatType: 'group', mentions: [BOT_OPEN_ID],
      })),
    ];
    for (const q of questions) fake.knowMessage(q.messageId, (q.body.event as { message: { chat_id: string } }).message.chat_id);
    const acks = await Promise.all(questions.map((q) => svc.server.inject(signedRequest(q.body))));
    expect(acks.every((r) => r.statusCode === 200)).toBe(true);

    const answers = () => fake.messages.filter((m) => !m.chatId?.startsWith('oc_group_'));
    const notices = () => fake.messages.filter((m) => m.chatId?.startsWith('oc_group_'));
    await fake.waitFor(() => answers().length === questions.length && notices().length === GROUPS, 'every answer and notice', 60_000);

    const sends = fake.attempts.filter((a) => a.path.startsWith('/open-apis/im/v1/messages'));
    expect(sends.every((a) => a.status === 200)).toBe(true);
    expect(maxInAnyWindow(sends.map((a) => a.at), 1000)).toBeLessThanOrEqual(40);
    const perChat = new Map<string, number[]>();
    for (const m of fake.messages) perChat.set(m.chatId!, [...(perChat.get(m.chatId!) ?? []), m.at]);
    expect(perChat.get('oc_busy')).toHaveLength(BUSY_GROUP_QUESTIONS);
    expect(Math.max(...[...perChat.values()].map((t) => maxInAnyWindow(t, 1000)))).toBeLessThanOrEqual(4);
    // Nothing twice: one answer per question (private answers by chat, group answers quote their question).
    expect(new Set(answers().map((m) => m.replyTo ?? m.chatId)).size).toBe(questions.length);
    expect(fake.deduped).toBe(0);
  }, 90_000);
});
