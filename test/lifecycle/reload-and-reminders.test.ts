// Replacing documents without a restart, and reminders before expiry, as staff see them: the
// real service with the Feishu channel (real Lark SDK) against the fake open platform, whose
// staff chat receives the alerts; a real SQLite file that outlives a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../src/admin/cli.js';
import { createService, type Service } from '../../src/main.js';
import { APP_ID, ENCRYPT_KEY, messageEvent, signedRequest } from '../channels/feishu/events.js';
import { FakeOpenPlatform, visible } from '../channels/feishu/fake-open-platform.js';
import { ask, copyWithChange, DRAFT_DIR, FINAL_DIR, health, policyFolder, TestClock } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'reload-test-'));
const fake = new FakeOpenPlatform();
const STAFF = 'ou_staff_wang';
const OFFICIAL = 'ou_official_lin';
const STAFF_CHAT = 'oc_staff_room';
const ADMIN_TOKEN = 'admin-token-for-reload-tests';
const clock = new TestClock('2026-12-01 09:00');
const policies = policyFolder(DRAFT_DIR);
const env = {
  DB_PATH: join(tmp, 'bot.db'), LOG_LEVEL: 'silent', POLICY_DIR: policies, ADMIN_TOKEN,
  FEISHU_APP_ID: APP_ID, FEISHU_APP_SECRET: 'app-secret', FEISHU_MODE: 'webhook', FEISHU_DOMAIN: fake.url,
  FEISHU_ENCRYPT_KEY: ENCRYPT_KEY, FEISHU_STAFF: STAFF, FEISHU_STAFF_CHAT: STAFF_CHAT,
};
let svc: Service;

const start = async () => createService({ ...env, FEISHU_DOMAIN: fake.url }, clock);

beforeAll(async () => {
  await fake.start();
  runAdminCommand(['role', 'set', '--channel', 'feishu', '--user', OFFICIAL, '--role', 'official', '--name', '林科长'], env);
  svc = await start();
});
afterAll(async () => {
  await svc?.close();
  await fake.stop();
  rmSync(tmp, { recursive: true, force: true });
  rmSync(policies, { recursive: true, force: true });
});

const staffMessages = () => fake.inChat(STAFF_CHAT).map((m) => visible(m).text);
const reload = (token = ADMIN_TOKEN) => svc.server.inject({ method: 'POST', url: '/api/admin/policies/reload', headers: { authorization: `Bearer ${token}` } });

/** Says something to the bot in a private Feishu chat and returns what comes back. */
async function say(user: string, text: string): Promise<string> {
  const chat = `oc_p2p_${user}`;
  const before = fake.inChat(chat).length;
  const { body, messageId } = messageEvent({ chatId: chat, user, text });
  fake.knowMessage(messageId, chat);
  // Signed at the service clock's time: the webhook refuses signatures older than 5 minutes.
  expect((await svc.server.inject(signedRequest(body, { timestamp: Math.floor(clock.now() / 1000) }))).statusCode).toBe(200);
  return visible(await fake.waitFor(() => fake.inChat(chat)[before], `the answer to "${text}"`)).text;
}

describe('reload', () => {
  it('needs an admin token: none is 401, an official token is 403', async () => {
    expect((await svc.server.inject({ method: 'POST', url: '/api/admin/policies/reload' })).statusCode).toBe(401);
    const official = runAdminCommand(['token', 'create', '--name', '鼓楼区工信局', '--role', 'official'], env).find((l) => l.startsWith('pb_'))!;
    const res = await reload(official);
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toContain('admin');
  });

  it('refuses a bad document, says where and what to do, tells staff, and the old one keeps serving', async () => {
    clock.set('2026-12-25 10:00');
    // An edited final version whose 第一条 no longer matches its published text.
    copyWithChange(FINAL_DIR, join(policies, 'final-with-a-typo'), (yaml) => yaml.replace('市级配套奖励60%。', '市级配套奖励70%。'));
    const res = await reload();
    expect(res.statusCode).toBe(422);
    const report = res.json() as { ok: boolean; inForce: string; problems: string[] };
    expect(report.ok).toBe(false);
    expect(report.inForce).toBe('fuzhou-zjtx-2024@1');
    expect(report.problems.join('\n')).toMatch(/final-with-a-typo\/document\.yaml:\d+: measure 1: its text is not in source\.txt word for word → copy the text/);
    const alert = await fake.waitFor(() => staffMessages().find((t) => t.includes('重新加载被拒绝')), 'the staff alert');
    expect(alert).toContain('仍在使用 fuzhou-zjtx-2024@1');
    expect(alert).toContain('final-with-a-typo/document.yaml');
    expect((await ask(svc, '小巨人配套比例是多少')).reply).toContain('市级配套50%');
    expect((await health(svc)).policy).toBe('fuzhou-zjtx-2024@1');
  });

  it('takes a corrected document without a restart', async () => {
    rmSync(join(policies, 'final-with-a-typo'), { recursive: true });
    copyWithChange(FINAL_DIR, join(policies, 'fictional-final-2027'), (yaml) => yaml);
    const res = await reload();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, inForce: 'fictional-final-2027@1', documents: ['fictional-final-2027@1', 'fuzhou-zjtx-2024@1'] });
    expect((await ask(svc, '小巨人配套比例是多少')).reply).toContain('市级配套60%');
  });

  it('shows staff the state with "/政策"', async () => {
    const text = await say(STAFF, '/政策');
    expect(text).toContain('政策文件状态（2026年12月25日）');
    expect(text).toContain('【现行】《福州市支持专精特新中小企业高质量发展的若干措施（虚构测试版）》（正式印发，榕测〔2026〕1号）：2026年12月20日至2028年12月31日，有效，还有737天到期');
    expect(text).toContain('（征求意见稿，未编文号）：2025年1月1日至2026年12月31日，已由榕测〔2026〕1号取代');
  });
});

describe('expiry reminders', () => {
  const reminders = () => staffMessages().filter((t) => t.includes('到期提醒：'));

  it('sends each of the 30, 7 and 1 day reminders once, across restarts', async () => {
    rmSync(join(policies, 'fictional-final-2027'), { recursive: true });
    expect((await reload()).statusCode).toBe(200);
    clock.set('2026-11-30 09:00'); // 31 days left: nothing yet
    expect(await svc.reminders.tick()).toBeUndefined();
    clock.set('2026-12-01 09:00');
    expect(await svc.reminders.tick()).toBe(30);
    expect(await svc.reminders.tick()).toBeUndefined();
    await svc.close();
    svc = await start();
    expect(await svc.reminders.tick()).toBeUndefined();
    clock.set('2026-12-24 08:00');
    expect(await svc.reminders.tick()).toBe(7);
    clock.set('2026-12-30 08:00');
    expect(await svc.reminders.tick()).toBe(1);
    await svc.close();
    svc = await start();
    expect(await svc.reminders.tick()).toBeUndefined();
    clock.set('2027-01-01 08:00');
    expect(await svc.reminders.tick()).toBeUndefined();
    const sent = await fake.waitFor(() => reminders().length >= 3 && reminders(), 'three reminders');
    expect(sent.map((t) => /还有(\d+)天/.exec(t)![1])).toEqual(['30', '7', '1']);
    expect(sent[0]).toContain('《福州市支持专精特新中小企业高质量发展的若干措施》（征求意见稿，未编文号）将于2026年12月31日到期');
  });

  it('lets an official turn the reminder into a broadcast draft', async () => {
    clock.set('2026-12-24 10:00');
    const draft = reminders()[1].split('\n').find((l) => l.startsWith('/广播'))!;
    expect(draft).toBeDefined();
    const preview = await say(OFFICIAL, draft);
    expect(preview).toContain('《福州市支持专精特新中小企业高质量发展的若干措施》将于2026年12月31日到期（还有7天）');
  });
});
