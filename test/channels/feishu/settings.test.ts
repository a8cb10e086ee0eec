// FEISHU_* settings: the channel is off without credentials, and a wrong value stops the
// service with one English line naming the variable (and never echoing a secret).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFeishuSettings } from '../../../src/channels/feishu/settings.js';
import { createService } from '../../../src/main.js';
import { APP_ID } from './events.js';

const base = { FEISHU_APP_ID: APP_ID, FEISHU_APP_SECRET: 'very-secret-value' };
const tmp = mkdtempSync(join(tmpdir(), 'feishu-settings-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function refusal(env: Record<string, string>): string {
  try {
    readFeishuSettings(env);
  } catch (e) {
    const message = (e as Error).message;
    expect(message).not.toContain('\n');
    expect(message).not.toContain('very-secret-value');
    return message;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('readFeishuSettings', () => {
  it('is off unless both credentials are set', () => {
    expect(readFeishuSettings({})).toBeNull();
    expect(readFeishuSettings({ FEISHU_APP_ID: APP_ID })).toBeNull();
    expect(readFeishuSettings({ FEISHU_APP_SECRET: 'x', FEISHU_MODE: 'nonsense' })).toBeNull();
  });

  it('has the documented defaults and reads lists', () => {
    expect(readFeishuSettings({ ...base, FEISHU_STAFF: 'ou_a1, ou_b2，ou_c3', FEISHU_STAFF_CHAT: 'oc_staff' })).toMatchObject({
      domain: 'feishu', mode: 'ws', staff: new Set(['ou_a1', 'ou_b2', 'ou_c3']), staffChat: 'oc_staff',
    });
    expect(readFeishuSettings({ ...base, FEISHU_DOMAIN: 'Lark' })?.domain).toBe('lark');
    expect(readFeishuSettings({ ...base, FEISHU_DOMAIN: 'http://127.0.0.1:9000/' })?.domain).toBe('http://127.0.0.1:9000');
  });

  it('names the variable of a wrong value', () => {
    expect(refusal({ ...base, FEISHU_MODE: 'poll' })).toMatch(/^invalid configuration: FEISHU_MODE: /);
    expect(refusal({ ...base, FEISHU_DOMAIN: 'feishu.cn' })).toMatch(/^invalid configuration: FEISHU_DOMAIN: /);
    expect(refusal({ ...base, FEISHU_STAFF: 'ou_a1,zhang@example.com' })).toMatch(/^invalid configuration: FEISHU_STAFF: "zhang@example.com" is not an open_id/);
    expect(refusal({ ...base, FEISHU_STAFF_CHAT: 'staff-room' })).toMatch(/^invalid configuration: FEISHU_STAFF_CHAT: /);
    expect(refusal({ ...base, FEISHU_APP_ID: 'my-app' })).toMatch(/^invalid configuration: FEISHU_APP_ID: the long connection/);
    expect(refusal({ ...base, FEISHU_MODE: 'webhook' })).toMatch(/^invalid configuration: FEISHU_ENCRYPT_KEY: /);
  });

  it('stops the service with that line', async () => {
    await expect(createService({ DB_PATH: join(tmp, 'bot.db'), LOG_LEVEL: 'silent', ...base, FEISHU_MODE: 'poll' }))
      .rejects.toThrow(/^invalid configuration: FEISHU_MODE: must be ws \(long connection\) or webhook$/);
  });
});
