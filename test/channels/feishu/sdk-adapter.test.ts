// The SDK adapter (lark.ts) with the real SDK against fake platforms: platform errors become
// FeishuApiError, each client keeps its own token cache, and no secret reaches the logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFeishuApi, FeishuApiError } from '../../../src/channels/feishu/lark.js';
import type { FeishuSettings } from '../../../src/channels/feishu/settings.js';
import { APP_ID } from './events.js';
import { BOT_OPEN_ID, FakeOpenPlatform } from './fake-open-platform.js';

const SECRET = 'app-secret-never-logged';
const a = new FakeOpenPlatform('t-token-of-a');
const b = new FakeOpenPlatform('t-token-of-b');
const lines: string[] = [];
const capture = (level: string) => (obj: object | string, msg?: string) => lines.push(`${level} ${JSON.stringify(obj)} ${msg ?? ''}`);
const log = { info: capture('info'), warn: capture('warn'), error: capture('error'), debug: capture('debug') };
const settings = (domain: string): FeishuSettings => ({ appId: APP_ID, appSecret: SECRET, domain, mode: 'webhook', staff: new Set() });

beforeAll(async () => {
  await a.start();
  await b.start();
});
afterAll(async () => {
  await a.stop();
  await b.stop();
});

describe('Feishu SDK adapter', () => {
  it('reads the bot and chat info and sends with a uuid', async () => {
    const api = createFeishuApi(settings(a.url), log);
    a.chats.set('oc_room', { name: '台江区企业群', members: 7 });
    expect(await api.botOpenId()).toBe(BOT_OPEN_ID);
    expect(await api.chatInfo('oc_room')).toEqual({ name: '台江区企业群', members: 7 });
    const id = await api.send({ chatId: 'oc_room' }, 'text', JSON.stringify({ text: '你好' }), 'uuid-adapter-1');
    expect(a.messages.find((m) => m.messageId === id)).toMatchObject({ chatId: 'oc_room', uuid: 'uuid-adapter-1', content: { text: '你好' } });
  });

  it('keeps a token cache per client, even for the same app id', async () => {
    const apiA = createFeishuApi(settings(a.url), log);
    const apiB = createFeishuApi(settings(b.url), log);
    await apiA.send({ chatId: 'oc_1' }, 'text', '{"text":"a"}', 'uuid-cache-a');
    // With the SDK's process-wide default cache, B would be sent A's token and refused.
    await apiB.send({ chatId: 'oc_1' }, 'text', '{"text":"b"}', 'uuid-cache-b');
    expect(b.messages).toHaveLength(1);
  });

  it('turns refusals into FeishuApiError with code and status, and logs no secret', async () => {
    const api = createFeishuApi(settings(a.url), log);
    a.refuseNext(1, { status: 400, code: 230020 });
    await expect(api.send({ chatId: 'oc_1' }, 'text', '{"text":"x"}', 'uuid-refused')).rejects.toMatchObject({ code: 230020, status: 400 });
    a.refuseNext(1, { status: 400, code: 230002, msg: 'bot is not in the chat' });
    const e = await api.send({ replyTo: 'om_1' }, 'text', '{"text":"x"}', 'uuid-refused-2').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FeishuApiError);
    expect((e as FeishuApiError).message).toContain('bot is not in the chat');

    // A failed token request: the SDK logs the raw axios error, whose JSON holds the request body.
    // Short stacks keep that body within the logged length, so a leak would show.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      const fresh = createFeishuApi(settings(a.url), log);
      a.refuseTokens(1);
      await expect(fresh.botOpenId()).rejects.toMatchObject({ status: 500 });
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    expect(lines.some((l) => l.includes('status code 500'))).toBe(true);
    expect(lines.join('\n')).not.toContain(SECRET);
  });
});
