// Feishu groups: the bot removed or the group disbanded takes it out of the broadcast audience;
// added back, it is in again; "@bot 退订通知" / "订阅通知" work as on WeChat. The real SDK, the
// service's HTTP app, a real SQLite file and the fake open platform.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../../src/main.js';
import { SqliteChatRegistry } from '../../../src/store/sqlite-chat-registry.js';
import { APP_ID, ENCRYPT_KEY, VERIFICATION_TOKEN, membershipEvent, messageEvent, signedRequest } from './events.js';
import { BOT_OPEN_ID, FakeOpenPlatform, visible } from './fake-open-platform.js';

const tmp = mkdtempSync(join(tmpdir(), 'feishu-membership-'));
const fake = new FakeOpenPlatform();
const OWNER = 'ou_owner_lin';
const STAFF = 'ou_staff_wang';
let svc: Service;
let chats: SqliteChatRegistry;

beforeAll(async () => {
  await fake.start();
  fake.chats.set('oc_taijiang', { name: '台江区企业群', members: 30, owner: OWNER });
  fake.chats.set('oc_mawei', { name: '马尾区企业群', members: 12, owner: 'ou_someone_else' });
  svc = await createService({
    DB_PATH: join(tmp, 'bot.db'), LOG_LEVEL: 'silent',
    FEISHU_APP_ID: APP_ID, FEISHU_APP_SECRET: 'app-secret', FEISHU_MODE: 'webhook', FEISHU_DOMAIN: fake.url,
    FEISHU_ENCRYPT_KEY: ENCRYPT_KEY, FEISHU_VERIFICATION_TOKEN: VERIFICATION_TOKEN, FEISHU_STAFF: STAFF,
  });
  chats = new SqliteChatRegistry(svc.db);
  await svc.startChannels();
});

afterAll(async () => {
  await svc?.close();
  await fake.stop();
  rmSync(tmp, { recursive: true, force: true });
});

async function deliver(body: object) {
  expect((await svc.server.inject(signedRequest(body))).statusCode).toBe(200);
}

async function sayInGroup(chatId: string, user: string, text: string) {
  const { body, messageId } = messageEvent({ chatId, user, text, chatType: 'group', mentions: [BOT_OPEN_ID] });
  fake.knowMessage(messageId, chatId);
  const before = fake.inChat(chatId).length;
  await deliver(body);
  return visible(await fake.waitFor(() => fake.inChat(chatId).length > before && fake.inChat(chatId).at(-1), `an answer in ${chatId}`)).text;
}

const audience = () => svc.broadcasts.preview({ targets: { channel: 'feishu' }, text: '申报通知' });

describe('Feishu group membership', () => {
  it('records a group when the bot is added, drops it from broadcasts when removed, and takes it back when re-added', async () => {
    await deliver(membershipEvent('added', 'oc_taijiang', '台江区企业群'));
    await deliver(membershipEvent('added', 'oc_mawei', '马尾区企业群'));
    expect(audience()).toMatchObject({ targets: 2, skipped: [] });

    await deliver(membershipEvent('removed', 'oc_taijiang', '台江区企业群'));
    expect(chats.get('feishu', 'oc_taijiang')?.left?.reason).toBe('removed');
    expect(audience()).toMatchObject({ targets: 1, skipped: [{ chat: 'oc_taijiang', name: '台江区企业群', reason: 'inactive' }] });

    // Sent now, a broadcast never reaches the group the bot has left, and lists it as skipped.
    const created = svc.broadcasts.create({ targets: { channel: 'feishu' }, text: '申报通知：即日起开始申报。' }, 'test');
    expect(created).toMatchObject({ targets: 1, skipped: [{ chat: 'oc_taijiang', reason: 'inactive' }] });
    await fake.waitFor(() => fake.inChat('oc_mawei').length > 0, 'the notice in the remaining group');
    expect(fake.inChat('oc_taijiang')).toEqual([]);

    await deliver(membershipEvent('added', 'oc_taijiang', '台江区企业群'));
    expect(chats.get('feishu', 'oc_taijiang')?.left).toBeUndefined();
    expect(audience()).toMatchObject({ targets: 2, skipped: [] });
  });

  it('marks a disbanded group inactive', async () => {
    await deliver(membershipEvent('disbanded', 'oc_mawei', '马尾区企业群'));
    expect(chats.get('feishu', 'oc_mawei')?.left?.reason).toBe('disbanded');
    expect(audience().skipped).toEqual([{ channel: 'feishu', chat: 'oc_mawei', name: '马尾区企业群', reason: 'inactive' }]);
  });

  it('lets the group owner or staff unsubscribe and resubscribe a group, and refuses others', async () => {
    expect(await sayInGroup('oc_taijiang', 'ou_member', '退订通知')).toContain('只有群主或群管理员');
    expect(chats.get('feishu', 'oc_taijiang')?.subscribed).toBe(true);

    expect(await sayInGroup('oc_taijiang', OWNER, '退订通知')).toContain('已退订');
    expect(chats.get('feishu', 'oc_taijiang')?.subscribed).toBe(false);
    expect(audience().skipped).toContainEqual({ channel: 'feishu', chat: 'oc_taijiang', name: '台江区企业群', reason: 'unsubscribed' });

    expect(await sayInGroup('oc_taijiang', STAFF, '订阅通知。')).toContain('已订阅');
    expect(chats.get('feishu', 'oc_taijiang')?.subscribed).toBe(true);
  });
});
