// Staff commands over Feishu, with the numbers coming from the real question log that the
// questions (over Feishu and over the HTTP API) wrote into the service's SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFeishuChannel, type FeishuChannel } from '../../../src/channels/feishu/index.js';
import { createService, type Service } from '../../../src/main.js';
import { APP_ID, ENCRYPT_KEY, messageEvent, signedRequest } from './events.js';
import { FakeOpenPlatform, visible } from './fake-open-platform.js';

const STAFF = 'ou_staff_zhang';
const tmp = mkdtempSync(join(tmpdir(), 'feishu-staff-'));
const fake = new FakeOpenPlatform();
let svc: Service;
let feishu: FeishuChannel;

beforeAll(async () => {
  await fake.start();
  svc = await createService({
    DB_PATH: join(tmp, 'bot.db'), LOG_LEVEL: 'silent',
    FEISHU_APP_ID: APP_ID, FEISHU_APP_SECRET: 'app-secret', FEISHU_MODE: 'webhook', FEISHU_DOMAIN: fake.url,
    FEISHU_ENCRYPT_KEY: ENCRYPT_KEY, FEISHU_STAFF: `ou_staff_li, ${STAFF}`,
  });
  feishu = svc.channels.find(isFeishuChannel)!;
});

afterAll(async () => {
  await svc?.close();
  await fake.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** Says something in a private chat and returns what the person sees in reply. */
async function ask(user: string, text: string): Promise<string> {
  const chat = `oc_p2p_${user}`;
  const before = fake.inChat(chat).length;
  const { body } = messageEvent({ chatId: chat, user, text });
  expect((await svc.server.inject(signedRequest(body))).statusCode).toBe(200);
  const reply = await fake.waitFor(() => fake.inChat(chat)[before], `the answer to "${text}"`);
  return visible(reply).text;
}

function fuzhouToday(): string {
  const d = new Date(Date.now() + 8 * 3_600_000);
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

describe('staff commands over Feishu', () => {
  it('shows real numbers from the question log to staff', async () => {
    await ask('ou_enterprise_a', '技改补助需要什么条件？');
    await ask('ou_enterprise_a', '小巨人配套奖励多少');
    await ask('ou_enterprise_a', '今天天气怎么样');
    const api = await svc.server.inject({ method: 'POST', url: '/api/ask', payload: { text: '明天会下雨吗', user: 'integrator' } });
    expect(api.json().intent).toBe('fallback');

    const stats = await ask(STAFF, '/统计');
    expect(stats).toContain('【问答统计】最近7天');
    expect(stats).toContain('提问 4 条，来自 2 人；未能解答 2 条，占 50.0%');
    expect(stats).toContain(`${fuzhouToday()}　4 条`);
    expect(stats).toContain('第一条（建立梯度培育体系）　1 次');
    expect(stats).toContain('第三条（鼓励实施技术改造）　1 次');

    const unanswered = await ask(STAFF, '/未解答 今天');
    expect(unanswered).toContain('今天共 2 条');
    expect(unanswered).toContain('“明天会下雨吗”');
    expect(unanswered).toContain('“今天天气怎么样”');
  });

  it('refuses non-staff politely, and a refused command is not a question', async () => {
    const refused = await ask('ou_enterprise_a', '/统计');
    expect(refused).toContain('仅对指定的工作人员开放');
    expect(await ask(STAFF, '/统计 今天')).toContain('提问 4 条');
  });

  it('shows the command list to staff', async () => {
    expect(await ask('ou_staff_li', '/帮助')).toContain('/未解答 [时间范围]');
    await feishu.drain();
  });
});
