// Private chats, the move of a group check into a private chat, long replies, and the login
// lifecycle (scan, logout, a restart on the same data folder), on real wechaty + puppet-mock.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ScanStatus } from 'wechaty';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, until, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('WeChat private chat', () => {
  it('answers every message without an @, and hints at text when sent a photo', async () => {
    h = await startHarness();
    h.sayPrivately(h.alice, '技改补助需要什么条件？');
    await until(() => h!.toPerson(h!.alice).length === 1, 'the private answer');
    expect(h.toPerson(h.alice)[0]).toContain('300万元');
    expect(h.toPerson(h.alice)[0].startsWith('@')).toBe(false);

    h.sendImage(h.alice);
    await until(() => h!.toPerson(h!.alice).length === 2, 'the hint');
    expect(h.toPerson(h.alice)[1]).toContain('文字');
    // Nothing was said in the group, and private chats are not broadcast audience.
    expect(h.inRoom()).toEqual([]);
    expect(h.chats.list({ channel: 'wechat' }).map((c) => c.kind)).toEqual(['group']);
  });

  it('continues a check begun in the group when the member writes privately', async () => {
    h = await startHarness();
    h.sayInGroup(h.alice, '我们能享受哪些政策');
    await until(() => h!.inRoom().length === 1, 'the first question in the group');
    expect(h.inRoom()[0]).toContain('私聊');

    h.sayPrivately(h.alice, '省级专精特新');
    await until(() => h!.toPerson(h!.alice).length === 1, 'the next question in private');
    const next = h.toPerson(h.alice)[0];
    expect(next).toContain('群里开始的政策测评');
    expect(next).toContain('首次');

    // The group conversation no longer holds the check: the group stays quiet about it.
    h.sayInGroup(h.alice, '是的');
    await until(() => h!.inRoom().length === 2, 'the group answer');
    expect(h.inRoom()[1]).not.toContain('首次');
  });

  it('splits a long answer at sentence ends, within the configured message size', async () => {
    h = await startHarness({ env: { WECHAT_MAX_MESSAGE_CHARS: '200' } });
    h.sayPrivately(h.bob, '第一条原文');
    h.sayPrivately(h.bob, '谢谢');
    await until(() => h!.toPerson(h!.bob).some((m) => m.includes('不客气')), 'the answer after the long one');
    const parts = h.toPerson(h.bob).slice(0, -1);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(200);
    for (const part of parts.slice(0, -1)) expect(part).toMatch(/[。！？；）)】”]$/);
    const whole = parts.join('');
    expect(whole).toContain('一、建立梯度培育体系');
    expect(whole).toContain('按职责分工负责）');
  });
});

describe('WeChat login', () => {
  it('prints the QR code for the first login without alarming the staff, and keeps the session in the data folder', async () => {
    h = await startHarness({ login: false, env: { WECHAT_BOT_NAME: 'fuzhou-bot' } });
    h.mocker.scan('https://login.weixin.qq.com/l/first', ScanStatus.Waiting);
    await until(() => h!.qrCodes.length === 1, 'the QR code');
    expect(h.alerts).toEqual([]);
    h.mocker.login(h.bot);
    await until(() => h!.channel.loggedIn(), 'the login');
    expect(existsSync(join(h.dataDir, 'fuzhou-bot.login.json'))).toBe(true);
  });

  it('tells the staff when the account logs out and when it needs a new scan, without restarting', async () => {
    h = await startHarness();
    h.puppet.logout();
    await until(() => h!.alerts.length === 1, 'the logout alert');
    expect(h.alerts[0]).toContain('已退出登录');
    expect(h.channel.loggedIn()).toBe(false);

    h.mocker.scan('https://login.weixin.qq.com/l/again', ScanStatus.Waiting);
    await until(() => h!.alerts.length === 2, 'the scan alert');
    expect(h.alerts[1]).toContain('重新扫码');
    expect(h.alerts[1]).toContain(encodeURIComponent('https://login.weixin.qq.com/l/again'));
    // A second code a minute later is printed and logged, not sent again.
    h.mocker.scan('https://login.weixin.qq.com/l/again2', ScanStatus.Timeout);
    await until(() => h!.qrCodes.length === 2, 'the second QR code');
    expect(h.alerts).toHaveLength(2);

    // Logging in again brings the bot back.
    h.mocker.login(h.bot);
    await until(() => h!.channel.loggedIn(), 'the new login');
    h.sayPrivately(h.carol, '有哪些措施');
    await until(() => h!.toPerson(h!.carol).length === 1, 'an answer after the new login');
  });

  it('alerts at once when a restarted service has lost a session it had', async () => {
    h = await startHarness();
    const { dataDir } = h;
    await h.close();
    h = await startHarness({ dataDir, login: false });
    h.mocker.scan('https://login.weixin.qq.com/l/after-restart', ScanStatus.Waiting);
    await until(() => h!.alerts.length === 1, 'the alert');
    expect(h.alerts[0]).toContain('重新扫码');
  });
});
