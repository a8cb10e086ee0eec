// The long connection (FEISHU_MODE=ws, the default) cannot reach a real Feishu here. Both modes
// hand events to one dispatcher; this drives it the way the SDK's WSClient does — plain event
// bodies, no signature — and checks that no webhook route is exposed in this mode.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFeishuChannel, type FeishuChannel } from '../../../src/channels/feishu/index.js';
import { createService, type Service } from '../../../src/main.js';
import { APP_ID, cardClickEvent, messageEvent } from './events.js';
import { BOT_OPEN_ID, FakeOpenPlatform, buttonsOf, visible } from './fake-open-platform.js';

const tmp = mkdtempSync(join(tmpdir(), 'feishu-ws-'));
const fake = new FakeOpenPlatform();
let svc: Service;
let feishu: FeishuChannel;

beforeAll(async () => {
  await fake.start();
  // Not started: start() would open the long connection.
  svc = await createService({ DB_PATH: join(tmp, 'bot.db'), LOG_LEVEL: 'silent', FEISHU_APP_ID: APP_ID, FEISHU_APP_SECRET: 'app-secret', FEISHU_DOMAIN: fake.url });
  feishu = svc.channels.find(isFeishuChannel)!;
});

afterAll(async () => {
  await svc?.close();
  await fake.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('Feishu long connection mode', () => {
  it('exposes no webhook', async () => {
    expect((await svc.server.inject({ method: 'POST', url: '/feishu/events', payload: {} })).statusCode).toBe(404);
  });

  it('acknowledges at once and answers a group mention through the shared handler', async () => {
    const chat = 'oc_ws_group';
    const { body, messageId } = messageEvent({ chatId: chat, chatType: 'group', user: 'ou_erin', text: '小巨人配套奖励多少', mentions: [BOT_OPEN_ID] });
    fake.knowMessage(messageId, chat);
    expect(await feishu.dispatch(body)).toEqual({});
    expect(await feishu.dispatch(body)).toEqual({});
    const answer = await fake.waitFor(() => fake.inChat(chat)[0]);
    expect(visible(answer).title).toContain('第一条');
    expect(visible(answer).text).toContain('50%');
    await feishu.drain();
    expect(fake.inChat(chat)).toHaveLength(1);
  });

  it('runs the eligibility card from clicks', async () => {
    const chat = 'oc_ws_p2p';
    const { body } = messageEvent({ chatId: chat, user: 'ou_frank', text: '帮我算算能拿多少补贴' });
    await feishu.dispatch(body);
    const card = await fake.waitFor(() => fake.inChat(chat)[0]);
    // The platform has the card before the channel has recorded it as the check's card: click after.
    await feishu.drain();
    const tier = buttonsOf(card).find((b) => b.label === '都不是')!;
    expect(await feishu.dispatch(cardClickEvent({ operator: 'ou_frank', messageId: card.messageId, chatId: chat, value: tier.value }))).toEqual({});
    const result = await fake.waitFor(() => fake.inChat(chat).find((m) => m.kind === 'patch'));
    expect(visible(result).text).toContain('测评结果');
    expect(visible(result).buttons).toEqual([]);
  });
});
