// Officials composing a broadcast on Feishu: "/广播 …" → a preview card with the audience →
// 确认发送 → the notice reaches the tagged groups → a summary card comes back. The real SDK,
// the service's HTTP app and broadcaster, a real SQLite file, and the fake open platform.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../../src/admin/cli.js';
import { createService, type Service } from '../../../src/main.js';
import { APP_ID, ENCRYPT_KEY, VERIFICATION_TOKEN, cardClickEvent, messageEvent, signedRequest } from './events.js';
import { FakeOpenPlatform, buttonsOf, visible, type ReceivedMessage } from './fake-open-platform.js';

const tmp = mkdtempSync(join(tmpdir(), 'feishu-broadcast-'));
const fake = new FakeOpenPlatform();
const OFFICIAL = 'ou_official_chen';
const OFFICE = 'oc_p2p_official';
let svc: Service;

beforeAll(async () => {
  await fake.start();
  const env = {
    DB_PATH: join(tmp, 'bot.db'), LOG_LEVEL: 'silent',
    FEISHU_APP_ID: APP_ID, FEISHU_APP_SECRET: 'app-secret', FEISHU_MODE: 'webhook', FEISHU_DOMAIN: fake.url,
    FEISHU_ENCRYPT_KEY: ENCRYPT_KEY, FEISHU_VERIFICATION_TOKEN: VERIFICATION_TOKEN,
    BROADCAST_POLL_MS: '50', FEISHU_BROADCAST_GAP_MS: '0',
  };
  // The operator's steps from the README: make the official, then the groups are known and tagged.
  runAdminCommand(['role', 'set', '--channel', 'feishu', '--user', OFFICIAL, '--role', 'official', '--name', '陈科长'], env);
  svc = await createService(env);
  const seen = svc.db.prepare(`INSERT INTO chats (channel, id, kind, name, first_seen, last_seen, tags) VALUES ('feishu', ?, 'group', ?, 0, 0, ?)`);
  seen.run('oc_gulou_1', '鼓楼区企业一群', '["鼓楼区"]');
  seen.run('oc_gulou_2', '鼓楼区企业二群', '["鼓楼区"]');
  seen.run('oc_cangshan', '仓山区企业群', '["仓山区"]');
  await svc.startChannels();
});

afterAll(async () => {
  await svc?.close();
  await fake.stop();
  rmSync(tmp, { recursive: true, force: true });
});

async function say(user: string, chatId: string, text: string) {
  const { body, messageId } = messageEvent({ chatId, user, text });
  fake.knowMessage(messageId, chatId);
  expect((await svc.server.inject(signedRequest(body))).statusCode).toBe(200);
}

async function click(operator: string, card: ReceivedMessage, label: string) {
  const button = buttonsOf(card).find((b) => b.label === label)!;
  const res = await svc.server.inject(signedRequest(cardClickEvent({ operator, messageId: card.messageId, chatId: OFFICE, value: button.value })));
  return res.json() as { toast?: { content: string } };
}

// Card updates (patches) are not new messages: counting them would take the preview's update for the summary.
const sentIn = (chat: string) => fake.inChat(chat).filter((m) => m.kind !== 'patch');
const latestIn = (chat: string, count: number) => fake.waitFor(() => sentIn(chat).length >= count && sentIn(chat).at(-1), `${count} messages in ${chat}`);
const patchOf = (messageId: string) => fake.waitFor(() => fake.messages.find((m) => m.kind === 'patch' && m.messageId === messageId), 'the card to be updated');

describe('/广播 on Feishu', () => {
  it('refuses anyone who is not an official', async () => {
    await say('ou_someone', 'oc_p2p_someone', '/广播 #鼓楼区 @飞书 明天开会');
    const answer = await latestIn('oc_p2p_someone', 1);
    expect(visible(answer).text).toContain('只有登记为“官员”角色的用户可以发起广播');
  });

  it('previews, sends on confirm to the tagged groups only, and reports back', async () => {
    await say(OFFICIAL, OFFICE, '/广播 #鼓楼区 @飞书 措施3.1 【技改申报提醒】技改补助开始申报，截至{validUntil}，还剩{daysLeft}天。');
    const preview = await latestIn(OFFICE, 1);
    const seen = visible(preview);
    expect(seen.title).toBe('广播预览（确认后发送）');
    expect(seen.text).toContain('将发送到 2 个群');
    expect(seen.text).toContain('2026年12月31日');
    expect(seen.buttons).toEqual(['确认发送', '取消']);
    expect(fake.inChat('oc_gulou_1')).toEqual([]);

    // Someone else in the chat cannot press the official's button.
    expect((await click('ou_someone', preview, '确认发送')).toast?.content).toContain('其他同事');
    expect(await click(OFFICIAL, preview, '确认发送')).toEqual({});
    expect(visible(await patchOf(preview.messageId)).text).toContain('广播将发送到 2 个群');

    for (const group of ['oc_gulou_1', 'oc_gulou_2']) {
      const notice = visible(await latestIn(group, 1));
      expect(notice.title).toBe('技改申报提醒');
      expect(notice.text).toContain('截至2026年12月31日');
      expect(notice.text).toContain('300万元');
    }
    // The preview's update (a patch) is in the office chat too: wait for the second new message.
    const summary = visible(await fake.waitFor(() => fake.inChat(OFFICE).filter((m) => m.kind !== 'patch')[1], 'the summary card'));
    expect(summary.title).toBe('广播发送结果');
    expect(summary.text).toContain('送达 2 个群');
    expect(fake.inChat('oc_cangshan')).toEqual([]);

    // A second press of the same button sends nothing again.
    expect((await click(OFFICIAL, preview, '确认发送')).toast?.content).toBeTruthy();
    const broadcasts = svc.db.prepare('SELECT COUNT(*) FROM broadcasts').pluck().get();
    expect(broadcasts).toBe(1);
    const audit = svc.db.prepare(`SELECT actor FROM audit_log WHERE action = 'broadcast.create'`).pluck().all();
    expect(audit).toEqual([`feishu:${OFFICIAL}`]);
  });

  it('sends nothing when the official presses 取消', async () => {
    const before = fake.messages.length;
    await say(OFFICIAL, OFFICE, '/广播 #仓山区 @飞书 仓山区企业座谈会通知');
    const preview = await fake.waitFor(() => fake.messages.length > before && fake.inChat(OFFICE).at(-1), 'a preview');
    expect(visible(preview).text).toContain('将发送到 1 个群');
    await click(OFFICIAL, preview, '取消');
    expect(visible(await patchOf(preview.messageId)).text).toContain('已取消');
    // Nothing was queued for the group, so nothing can reach it later either.
    expect(svc.db.prepare(`SELECT COUNT(*) FROM deliveries WHERE chat_id = 'oc_cangshan'`).pluck().get()).toBe(0);
    expect(fake.inChat('oc_cangshan')).toEqual([]);
  });
});
