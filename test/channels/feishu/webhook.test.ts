// The Feishu channel end to end in webhook mode: the service's real HTTP app (inject), the real
// SDK, a real SQLite file, and a fake open platform on 127.0.0.1 that records what users would see.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFeishuChannel, type FeishuChannel } from '../../../src/channels/feishu/index.js';
import { createService, type Service } from '../../../src/main.js';
import { SqliteChatRegistry } from '../../../src/store/sqlite-chat-registry.js';
import {
  APP_ID, ENCRYPT_KEY, VERIFICATION_TOKEN, cardClickEvent, encrypt, messageEvent, signatureHeaders, signedRequest, urlVerification,
} from './events.js';
import { BOT_OPEN_ID, FakeOpenPlatform, buttonsOf, visible, type ReceivedMessage } from './fake-open-platform.js';

const tmp = mkdtempSync(join(tmpdir(), 'feishu-webhook-'));
const fake = new FakeOpenPlatform();
let svc: Service;
let feishu: FeishuChannel;

beforeAll(async () => {
  await fake.start();
  fake.chats.set('oc_group_gulou', { name: '鼓楼区专精特新企业群', members: 42 });
  svc = await createService({
    DB_PATH: join(tmp, 'bot.db'), LOG_LEVEL: 'silent',
    FEISHU_APP_ID: APP_ID, FEISHU_APP_SECRET: 'app-secret', FEISHU_MODE: 'webhook', FEISHU_DOMAIN: fake.url,
    FEISHU_ENCRYPT_KEY: ENCRYPT_KEY, FEISHU_VERIFICATION_TOKEN: VERIFICATION_TOKEN,
    FEISHU_STAFF_CHAT: 'oc_staff_room',
  });
  feishu = svc.channels.find(isFeishuChannel)!;
  await svc.startChannels();
});

afterAll(async () => {
  await svc?.close();
  await fake.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** Sends a user's message as Feishu would (encrypted, signed) and tells the fake which chat it is in. */
async function say(o: Parameters<typeof messageEvent>[0]) {
  const { body, messageId } = messageEvent(o);
  fake.knowMessage(messageId, o.chatId);
  const res = await svc.server.inject(signedRequest(body));
  return { res, messageId, body };
}

const firstIn = (chat: string, kind?: ReceivedMessage['kind']) =>
  fake.waitFor(() => fake.inChat(chat).find((m) => !kind || m.kind === kind), `a message in ${chat}`);

describe('Feishu webhook: authenticity', () => {
  it('answers a signed, encrypted event, signed over the raw bytes as they arrived', async () => {
    const { body } = messageEvent({ chatId: 'oc_p2p_alice', user: 'ou_alice', text: '技改补助需要什么条件？' });
    // Whitespace the SDK would lose when it re-serialises: only a check over the raw body passes.
    const raw = JSON.stringify(encrypt(body), null, 2);
    const res = await svc.server.inject({
      method: 'POST', url: '/feishu/events', payload: raw,
      headers: { 'content-type': 'application/json; charset=utf-8', ...signatureHeaders(raw) },
    });
    expect(res.statusCode).toBe(200);
    const answer = await firstIn('oc_p2p_alice');
    const seen = visible(answer);
    expect(answer.msgType).toBe('interactive');
    expect(seen.title).toContain('第三条');
    expect(seen.text).toContain('300万元');
    expect(seen.text).toContain('市工信局');
    expect(seen.buttons).toEqual(['查看原文', '开始资格测评']);
    expect(answer.uuid).toMatch(/^[0-9a-f]{40}$/);
  });

  it('refuses a bad, stale, missing or plain request with 401 and sends nothing for it', async () => {
    const chat = 'oc_p2p_mallory';
    const forged = (text: string) => messageEvent({ chatId: chat, user: 'ou_mallory', text }).body;
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    const attempts = [
      signedRequest(forged('有哪些措施'), { badSignature: true }),
      signedRequest(forged('有哪些措施'), { timestamp: tenMinutesAgo }),
      signedRequest(forged('有哪些措施'), { timestamp: Math.floor(Date.now() / 1000) + 600 }),
      signedRequest(forged('有哪些措施'), { sign: false }),
      signedRequest(forged('有哪些措施'), { key: 'someone-elses-key' }),
      { method: 'POST' as const, url: '/feishu/events', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(forged('有哪些措施')) },
    ];
    for (const req of attempts) expect((await svc.server.inject(req)).statusCode).toBe(401);
    // A genuine message afterwards is answered, and it is the only thing that chat ever got.
    await say({ chatId: chat, user: 'ou_mallory', text: '你好' });
    await firstIn(chat);
    await feishu.drain();
    expect(fake.inChat(chat).map((m) => visible(m).text)).toEqual([expect.stringContaining('政策助手')]);
  });

  it('answers an event delivered three times once', async () => {
    const chat = 'oc_p2p_repeat';
    const { body, messageId } = messageEvent({ chatId: chat, user: 'ou_repeat', text: '有效期到什么时候' });
    fake.knowMessage(messageId, chat);
    const request = signedRequest(body);
    for (let i = 0; i < 3; i++) expect((await svc.server.inject(request)).statusCode).toBe(200);
    await firstIn(chat);
    await feishu.drain();
    expect(fake.inChat(chat)).toHaveLength(1);
    expect(visible(fake.inChat(chat)[0]).text).toContain('2026年12月31日');
    expect(fake.deduped).toBe(0);
  });

  it('answers an encrypted url_verification with its challenge, checking the verification token', async () => {
    const ok = urlVerification();
    const res = await svc.server.inject({ method: 'POST', url: '/feishu/events', headers: { 'content-type': 'application/json' }, payload: encrypt(ok) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ challenge: ok.challenge });

    const wrongToken = await svc.server.inject({ method: 'POST', url: '/feishu/events', headers: { 'content-type': 'application/json' }, payload: encrypt(urlVerification('not-the-token')) });
    expect(wrongToken.statusCode).toBe(401);
    const notEncrypted = await svc.server.inject({ method: 'POST', url: '/feishu/events', headers: { 'content-type': 'application/json' }, payload: urlVerification() });
    expect(notEncrypted.statusCode).toBe(401);
  });
});

describe('Feishu webhook: who is answered, and how', () => {
  it('answers a short question in a private chat as text', async () => {
    await say({ chatId: 'oc_p2p_text', user: 'ou_text', text: '有效期到什么时候' });
    const answer = await firstIn('oc_p2p_text');
    expect(answer.kind).toBe('create');
    expect(answer.msgType).toBe('text');
    expect(visible(answer).text).toContain('有效期截至2026年12月31日');
  });

  it('ignores a group message that does not mention the bot, and answers one that does, quoting it', async () => {
    const chat = 'oc_group_gulou';
    await say({ chatId: chat, chatType: 'group', user: 'ou_bob', text: '有效期到什么时候' });
    await say({ chatId: chat, chatType: 'group', user: 'ou_bob', text: '有效期到什么时候', mentions: ['ou_colleague'] });
    const { messageId } = await say({ chatId: chat, chatType: 'group', user: 'ou_bob', text: '有效期到什么时候', mentions: [BOT_OPEN_ID] });
    const answer = await firstIn(chat);
    await feishu.drain();
    expect(fake.inChat(chat)).toHaveLength(1);
    expect(answer.kind).toBe('reply');
    expect(answer.replyTo).toBe(messageId);
    expect(visible(answer).text).toContain('2026年12月31日');
    expect(visible(answer).text).not.toContain('@_user');
  });

  it('records every chat it sees for broadcasts, with the group name from the platform', async () => {
    await fake.waitFor(() => new SqliteChatRegistry(svc.db).get('feishu', 'oc_group_gulou')?.name, 'the group name');
    const chats = new SqliteChatRegistry(svc.db).list({ channel: 'feishu' });
    expect(chats).toEqual(expect.arrayContaining([
      expect.objectContaining({ id: 'oc_group_gulou', kind: 'group', name: '鼓楼区专精特新企业群', members: 42 }),
      expect.objectContaining({ id: 'oc_p2p_text', kind: 'p2p' }),
    ]));
  });

  it('says so when a message is not text', async () => {
    await say({ chatId: 'oc_p2p_image', user: 'ou_img', text: '', messageType: 'image', content: JSON.stringify({ image_key: 'img_x' }) });
    expect(visible(await firstIn('oc_p2p_image')).text).toContain('只能看懂文字');
  });

  it('sends a measure card whose "查看原文" button brings the full text', async () => {
    const chat = 'oc_p2p_fulltext';
    await say({ chatId: chat, user: 'ou_reader', text: '第三条是什么内容' });
    const card = await firstIn(chat);
    const fullText = buttonsOf(card).find((b) => b.label === '查看原文')!;
    const res = await svc.server.inject(signedRequest(cardClickEvent({ operator: 'ou_reader', messageId: card.messageId, chatId: chat, value: fullText.value })));
    expect(res.statusCode).toBe(200);
    const original = await fake.waitFor(() => fake.inChat(chat).find((m) => m.kind === 'reply'), 'the full text');
    expect(original.replyTo).toBe(card.messageId);
    expect(visible(original).text).toContain('三、支持企业创新发展。');
    expect(visible(original).buttons).not.toContain('查看原文');
  });
});

describe('Feishu webhook: the eligibility check in a card', () => {
  const chat = 'oc_p2p_check';
  // The platform has a card before the channel has recorded it as the check's card: click after.
  const click = async (operator: string, card: ReceivedMessage, label: string) => {
    const button = buttonsOf(card).find((b) => b.label === label);
    if (!button) throw new Error(`no button "${label}" on the card: ${JSON.stringify(buttonsOf(card))}`);
    await feishu.drain();
    return svc.server.inject(signedRequest(cardClickEvent({ operator, messageId: card.messageId, chatId: chat, value: button.value })));
  };
  const patches = () => fake.inChat(chat).filter((m) => m.kind === 'patch');

  it('advances the same dialog on a click and redraws the card in place', async () => {
    await say({ chatId: chat, user: 'ou_carol', text: '我们能享受哪些政策？' });
    const card = await firstIn(chat);
    expect(visible(card).text).toContain('最高认定是哪一级');
    expect(visible(card).buttons).toEqual(expect.arrayContaining(['省级专精特新', '国家级小巨人', '上一步', '取消']));

    const res = await click('ou_carol', card, '省级专精特新');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});
    const step2 = await fake.waitFor(() => patches()[0], 'the card update');
    expect(step2.messageId).toBe(card.messageId);
    expect(visible(step2).text).toContain('首次');
    expect(visible(step2).buttons).toEqual(expect.arrayContaining(['是', '不是', '不清楚']));

    // The old button again (a double click): refused with a note, nothing answered twice.
    const again = await click('ou_carol', card, '省级专精特新');
    expect(again.json()).toEqual({ toast: expect.objectContaining({ content: expect.stringContaining('已经回答过了') }) });
    // Someone else's click on Carol's card does not touch her dialog.
    const stranger = await click('ou_dave', step2, '不是');
    expect(stranger.json()).toEqual({ toast: expect.objectContaining({ content: expect.stringContaining('其他同事') }) });

    await click('ou_carol', step2, '是');
    const step3 = await fake.waitFor(() => patches()[1], 'the second card update');
    expect(visible(step3).text).toContain('哪一年');
    await feishu.drain();
    expect(patches()).toHaveLength(2);
    expect(fake.inChat(chat).filter((m) => m.kind !== 'patch')).toHaveLength(1);
  });

  it('offers to move a check begun in a group to the private chat, which then takes it over', async () => {
    const group = 'oc_group_check';
    const privateChat = 'oc_p2p_gina';
    await say({ chatId: privateChat, user: 'ou_gina', text: '你好' });
    await firstIn(privateChat);
    await say({ chatId: group, chatType: 'group', user: 'ou_gina', text: '我们能享受哪些政策？', mentions: [BOT_OPEN_ID] });
    expect(visible(await firstIn(group)).text).toContain('也可以私聊我继续测评');
    await say({ chatId: privateChat, user: 'ou_gina', text: '省级专精特新' });
    const moved = await fake.waitFor(() => fake.inChat(privateChat)[1], 'the private answer');
    expect(visible(moved).text).toContain('接着您在群里开始的政策测评');
    expect(visible(moved).text).toContain('首次');
  });

  it('takes a typed answer into the same dialog as the clicks', async () => {
    await say({ chatId: chat, user: 'ou_carol', text: '2025年' });
    const next = await fake.waitFor(() => fake.inChat(chat).filter((m) => m.kind === 'create')[1], 'the next step');
    expect(visible(next).text).toContain('工信企业');
  });
});

describe('Feishu sending', () => {
  it('retries "too frequent" (230020, then HTTP 429) with backoff and delivers once', async () => {
    const chat = 'oc_p2p_busy';
    const before = fake.attempts.length;
    fake.refuseNext(2, { status: 400, code: 230020, msg: 'chat frequency limit' });
    fake.refuseNext(1, { status: 429, code: 99991400, msg: 'app frequency limit' });
    await say({ chatId: chat, user: 'ou_busy', text: '你好' });
    await firstIn(chat);
    await feishu.drain();
    expect(fake.inChat(chat)).toHaveLength(1);
    expect(fake.attempts.slice(before).map((a) => a.status)).toEqual([400, 400, 429, 200]);
  });

  it('offers broadcasts a sender whose delivery id makes a resend harmless', async () => {
    const sender = feishu.broadcastSender!;
    expect(sender.idempotent).toBe(true);
    const notice = { title: '申报通知', text: '【申报通知】\n\n2026年度专精特新奖励开始申报。' };
    await sender.send('oc_broadcast_1', notice, 'delivery-0001');
    await sender.send('oc_broadcast_1', notice, 'delivery-0001');
    const sent = fake.inChat('oc_broadcast_1');
    expect(sent).toHaveLength(1);
    expect(visible(sent[0])).toMatchObject({ title: '申报通知', text: '2026年度专精特新奖励开始申报。' });
  });

  it('sends staff alerts to FEISHU_STAFF_CHAT', async () => {
    const alerts = svc.channels.find((c) => c.staffAlerts)?.staffAlerts;
    expect(alerts).toBe(feishu.staffAlerts);
    await alerts!.alert('微信机器人已退出登录，需要重新扫码');
    // Other alerts may share the room (an expiry reminder on the real date): find this one.
    const alert = await fake.waitFor(() => fake.inChat('oc_staff_room').find((m) => visible(m).text.includes('微信机器人已退出登录')), 'the logout alert');
    expect(visible(alert).text).toContain('微信机器人已退出登录');
  });
});
