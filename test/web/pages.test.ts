// The web pages in a real headless Chromium (playwright-core driving @sparticuz/chromium's
// binary), against the whole service listening on a free port with a temporary SQLite file:
// WeChat groups registered through wechaty on its mock puppet, Feishu groups through the
// channel's webhook and the fake open platform, broadcasts sent by the real broadcaster.
import type { EventEmitter } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mock, PuppetMock } from 'wechaty-puppet-mock';
import { readWechatSettings } from '../../src/channels/wechat/index.js';
import { buildWechatChannel, type WechatChannel } from '../../src/channels/wechat/wechat-channel.js';
import { createService, type Service } from '../../src/main.js';
import { APP_ID, ENCRYPT_KEY, VERIFICATION_TOKEN, messageEvent, signedRequest } from '../channels/feishu/events.js';
import { BOT_OPEN_ID, FakeOpenPlatform, visible } from '../channels/feishu/fake-open-platform.js';
import { until } from '../channels/wechat/harness.js';

const ADMIN_TOKEN = 'web-test-admin-token-0123456789';
const XSS = '<img src=x onerror="window.__xss=1">今天天气怎么样';
/** Set WEB_SCREENSHOTS=docs to refresh the screenshots in docs/ (with CJK fonts installed). */
const SHOTS = process.env.WEB_SCREENSHOTS;

const tmp = mkdtempSync(join(tmpdir(), 'web-pages-'));
const fake = new FakeOpenPlatform();
const mocker = new mock.Mocker();
const wechatSaid = new Map<string, string[]>();
let svc: Service;
let wechat: WechatChannel;
let browser: Browser;
let base = '';
let gulouRoom: mock.RoomMock;

beforeAll(async () => {
  await fake.start();
  fake.chats.set('oc_web_gulou', { name: '鼓楼区飞书企业群', members: 18 });
  fake.chats.set('oc_web_cangshan', { name: '仓山区飞书企业群', members: 9 });
  const env = {
    DB_PATH: join(tmp, 'bot.db'), LOG_LEVEL: 'silent', ADMIN_TOKEN,
    FEISHU_APP_ID: APP_ID, FEISHU_APP_SECRET: 'app-secret', FEISHU_MODE: 'webhook', FEISHU_DOMAIN: fake.url,
    FEISHU_ENCRYPT_KEY: ENCRYPT_KEY, FEISHU_VERIFICATION_TOKEN: VERIFICATION_TOKEN,
    BROADCAST_POLL_MS: '50', FEISHU_BROADCAST_GAP_MS: '0', WECHAT_BROADCAST_MIN_GAP_MS: '0', WECHAT_BROADCAST_MAX_GAP_MS: '0',
  };
  const settings = readWechatSettings({ WECHATY_PUPPET: 'wechaty-puppet-mock', WECHAT_BOT_NAME: 'web-test' })!;
  const puppet = new PuppetMock({ mocker });
  svc = await createService(env, undefined, {
    extraChannels: (deps) => [(wechat = buildWechatChannel(settings, { ...deps, dataDir: tmp }, { puppet, printQr: () => {} }))],
  });
  base = await svc.server.listen({ port: 0, host: '127.0.0.1' });
  await svc.startChannels();

  // WeChat: the bot's account logs in, and people talk in two groups, which registers them.
  const bot = mocker.createContact({ id: 'wxid_bot', name: '政策助手' });
  const alice = mocker.createContact({ id: 'wxid_alice', name: 'Alice' });
  mocker.login(bot);
  await until(() => wechat.loggedIn(), 'the WeChat bot to log in');
  gulouRoom = mocker.createRoom({ topic: '鼓楼区微信企业群', memberIdList: [bot.id, alice.id], ownerId: alice.id });
  const cangshanRoom = mocker.createRoom({ topic: '仓山区微信企业群', memberIdList: [bot.id, alice.id], ownerId: alice.id });
  for (const room of [gulouRoom, cangshanRoom]) {
    wechatSaid.set(room.id, []);
    (room as unknown as EventEmitter).on('message', (m: mock.MessageMock) => {
      if (m.talker().id === bot.id) wechatSaid.get(room.id)!.push(m.text() ?? '');
    });
    alice.say('大家好').to(room);
  }
  // Feishu: someone @-mentions the bot in two groups, which registers them.
  for (const chatId of ['oc_web_gulou', 'oc_web_cangshan']) {
    const { body, messageId } = messageEvent({ chatId, user: 'ou_member', text: '你好', chatType: 'group', mentions: [BOT_OPEN_ID] });
    fake.knowMessage(messageId, chatId);
    expect((await svc.server.inject(signedRequest(body))).statusCode).toBe(200);
  }
  await until(() => svc.db.prepare('SELECT COUNT(*) FROM chats').pluck().get() === 4, 'four registered groups');

  // An enterprise asked something out of scope, with markup in it.
  await fetch(`${base}/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: XSS, user: 'mallory' }) });

  // The package's flags are for AWS Lambda: one process (the browser dies with its last
  // context) and web security off. Neither belongs in a test of a page's security.
  const args = chromium.args.filter((a) => !['--single-process', '--disable-web-security', '--allow-running-insecure-content'].includes(a));
  const executablePath = await chromium.executablePath();
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    // The package's browser reads fonts from its own folder (FONTCONFIG_PATH, filled by executablePath()):
    // Debian's CJK fonts (apt-get install fonts-noto-cjk) are copied there before it starts.
    const noto = '/usr/share/fonts/opentype/noto';
    for (const f of ['NotoSansCJK-Regular.ttc', 'NotoSansCJK-Bold.ttc']) {
      if (existsSync(join(noto, f))) copyFileSync(join(noto, f), join(process.env.FONTCONFIG_PATH ?? join(tmpdir(), 'fonts'), f));
    }
  }
  browser = await playwright.launch({ executablePath, args, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await svc?.close();
  await fake.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** A fresh browser profile; every script error on its pages fails the test that caused it. */
async function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ acceptDownloads: true, locale: 'zh-CN', viewport: { width: 1200, height: 900 }, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    // A refusal the page shows (400 and the like) is logged by Chromium too; that is not a script error.
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) errors.push(m.text());
  });
  return { context, page, errors };
}

async function shot(page: Page, name: string, fullPage = true) {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, name), fullPage });
}

async function signIn(page: Page, token = ADMIN_TOKEN) {
  await page.goto(`${base}/console/login`);
  await page.fill('#token', token);
  await page.click('.signin button[type=submit]');
}

describe('the calculator at /', () => {
  const profiles = [
    { name: 'a provincial enterprise just short of the technical-upgrade threshold', form: { tier: 'provincial', firstTime: 'true', recognizedYear: '2025', industrial: 'true', techInvestment: '250', digitalLevel: '2' },
      api: { tier: 'provincial', firstTime: true, recognizedYear: 2025, industrial: true, techInvestment: 2_500_000, digitalLevel: 2 }, hint: '再增加50万元即可达到“技术改造投资补助”的门槛' },
    { name: 'a first-time little giant with a provincial award', form: { tier: 'little_giant', firstTime: 'true', provincialAward: '100', techInvestment: '350', digitalLevel: '1' },
      api: { tier: 'little_giant', firstTime: true, provincialAward: 1_000_000, techInvestment: 3_500_000, digitalLevel: 1 }, amount: '50万元' },
    { name: 'an innovative SME', form: { tier: 'innovative' }, api: { tier: 'innovative' } },
  ];

  for (const p of profiles) {
    it(`shows the same measures and amounts as /api/eligibility for ${p.name}`, async () => {
      const api = await (await fetch(`${base}/api/eligibility`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(p.api) })).json() as {
        awards: { title: string; status: string; yuan: number | null }[]; validUntil: string;
      };
      const { context, page, errors } = await newPage();
      await page.goto(`${base}/`);
      expect(await page.textContent('#validity')).toContain(`有效期至${api.validUntil}`);
      for (const [name, value] of Object.entries(p.form)) {
        const input = page.locator(`[name="${name}"]`);
        if (await input.evaluate((el) => el.tagName === 'SELECT')) await input.selectOption(value);
        else await input.fill(value);
      }
      await page.click('.profile button[type=submit]');
      await page.waitForSelector('#result h2');
      const shown = await page.$$eval('#result article.award', (els) => els.map((el) => ({
        title: el.querySelector('h3')!.textContent, status: [...el.classList].find((c) => c !== 'award'), amount: el.querySelector('.amount')!.textContent,
      })));
      const inScope = api.awards.filter((a) => shown.some((s) => s.title === a.title) || a.status !== 'not_eligible');
      expect(shown.map((s) => [s.title, s.status]).sort()).toEqual(inScope.map((a) => [a.title, a.status]).sort());
      if (p.hint) expect(await page.textContent('#result')).toContain(p.hint);
      if (p.amount) expect(shown.find((s) => s.status === 'eligible' && s.amount === p.amount)).toBeTruthy();
      if (!inScope.some((a) => a.status === 'eligible')) expect(await page.textContent('.summary')).toContain('可享受 0 项');
      // The quoted sentence and the responsible units come with every measure.
      expect(await page.locator('#result blockquote').count()).toBe(shown.length);
      if (shown.length) expect(await page.locator('#result .units').first().textContent()).toContain('责任单位：');
      expect(page.url()).toContain('tier=');
      if (p.hint) await shot(page, 'web-calculator.png');
      expect(errors).toEqual([]);
      await context.close();
    }, 60_000);
  }

  it('keeps a conversation in the question box, and links a measure to its full text', async () => {
    const { context, page, errors } = await newPage();
    await page.goto(`${base}/`);
    await page.fill('#question', '我们能享受哪些政策？');
    await page.click('#ask-form button');
    await page.waitForSelector('#transcript .turn:nth-child(1) .reply');
    expect(await page.textContent('#transcript .turn:nth-child(1) .reply')).toContain('最高认定是哪一级');
    // The box is empty again, and the follow-up continues the same check.
    expect(await page.inputValue('#question')).toBe('');
    await page.fill('#question', '国家级小巨人');
    await page.click('#ask-form button');
    await page.waitForSelector('#transcript .turn:nth-child(2) .reply');
    expect(await page.textContent('#transcript .turn:nth-child(2) .reply')).toContain('首次');
    await page.fill('#question', '取消');
    await page.click('#ask-form button');
    await page.waitForSelector('#transcript .turn:nth-child(3)');
    await page.fill('#question', '技改补助需要什么条件？');
    await page.click('#ask-form button');
    await page.waitForSelector('#transcript .turn:nth-child(4) .links a');
    expect(await page.textContent('#transcript .turn:nth-child(4) .reply')).toContain('300万元');
    await shot(page, 'web-ask.png');
    await page.click('#transcript .turn:nth-child(4) .links a');
    await page.waitForSelector('.measure .fulltext');
    expect(page.url()).toBe(`${base}/measures/3.1`);
    expect(await page.textContent('.measure .fulltext')).toContain('300万元以上可纳入市技改投资补助的支持范围');
    expect(await page.textContent('.measure .units')).toContain('市工信局');
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('fits a phone screen', async () => {
    const { context, page, errors } = await newPage({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await page.goto(`${base}/?tier=little_giant&firstTime=true&provincialAward=100`);
    await page.waitForSelector('#result article.award');
    expect(await page.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(375);
    expect(await page.isVisible('#ask-form button')).toBe(true);
    await shot(page, 'web-phone.png', false);
    await signIn(page);
    await page.goto(`${base}/console/broadcasts`);
    await page.waitForSelector('#compose');
    expect(await page.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(375);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});

describe('the console at /console', () => {
  it('shows nothing without a session, and refuses a wrong token', async () => {
    for (const path of ['/console', '/console/broadcasts', '/console/groups', '/console/audit', '/console/policy', `/console/questions?text=x`]) {
      const res = await fetch(`${base}${path}`, { redirect: 'manual' });
      expect([res.status, res.headers.get('location')]).toEqual([303, '/console/login']);
    }
    const post = await fetch(`${base}/console/broadcasts`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'text=x&channel=all' });
    expect(post.status).toBe(401);

    const { context, page } = await newPage();
    await signIn(page, 'pb_not-a-real-token');
    await page.waitForSelector('.signin .error');
    expect(await page.textContent('.signin .error')).toContain('令牌无效');
    expect(page.url()).toBe(`${base}/console/login`);
    await page.goto(`${base}/console`);
    expect(page.url()).toBe(`${base}/console/login`);
    await context.close();
  }, 60_000);

  it('lists an unanswered question containing markup as text, running nothing', async () => {
    const { context, page, errors } = await newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    await signIn(page);
    await page.waitForSelector('#unanswered');
    expect(page.url()).toBe(`${base}/console`);
    const cells = await page.$$eval('#unanswered td.question', (tds) => tds.map((td) => td.textContent));
    expect(cells).toContain(XSS);
    expect(await page.locator('#unanswered img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('svg.chart').count()).toBeGreaterThanOrEqual(3);
    await shot(page, 'web-console-overview.png');
    // Its detail page shows what the bot answered, again as text.
    await page.click('#unanswered td.question a');
    await page.waitForSelector('.question-text');
    expect(await page.textContent('.question-text')).toBe(XSS);
    expect(await page.textContent('.bot-said')).toContain('不在我能解答的范围内');
    expect(await page.locator('main img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('composes, previews, test-sends and sends a broadcast to WeChat and Feishu groups, with live progress and a CSV report', async () => {
    const { context, page, errors } = await newPage();
    await signIn(page);
    await page.waitForSelector('#unanswered');

    // Tag the two 鼓楼区 groups on the 群组 tab.
    await page.goto(`${base}/console/groups`);
    for (const name of ['鼓楼区微信企业群', '鼓楼区飞书企业群']) {
      const row = page.locator('tr', { hasText: name });
      await row.locator('input[name=tags]').fill('鼓楼区，电子信息');
      await row.locator('button').click();
      await page.locator('tr', { hasText: name }).locator('.ok').waitFor();
    }
    await shot(page, 'web-console-groups.png');

    await page.goto(`${base}/console/broadcasts`);
    await page.fill('#b-title', '技改申报提醒');
    await page.fill('#b-text', '技改补助开始申报，截至{validUntil}。');
    await page.check('input[name=measures][value="3.1"]');
    await page.check('input[name=districts][value="鼓楼区"]');
    await page.locator('#audience-count', { hasText: /^2$/ }).waitFor();
    expect(await page.textContent('#audience')).toContain('微信 1，飞书 1');
    expect(await page.textContent('.preview .wechat .bubble')).toContain('【技改申报提醒】');
    expect(await page.textContent('.preview .wechat .bubble')).toContain('截至2026年12月31日');
    expect(await page.textContent('.preview .feishu .card-header')).toBe('技改申报提醒');
    await shot(page, 'web-console-broadcast.png');

    // A test send to the WeChat group only.
    await page.selectOption('#b-test', { label: '微信 · 鼓楼区微信企业群' });
    await page.click('button:has-text("测试发送")');
    await page.waitForSelector('#test-result .ok');
    await until(() => wechatSaid.get(gulouRoom.id)!.some((t) => t.includes('【测试：技改申报提醒】')), 'the test notice in the WeChat group');
    expect(fake.inChat('oc_web_gulou').filter((m) => m.kind === 'create')).toEqual([]);

    // The broadcaster is held while the page opens, so the progress is seen moving on the page itself.
    await svc.worker.stop();
    await page.click('#compose button[type=submit]');
    await page.waitForURL(/\/console\/broadcasts\/[0-9a-f-]{36}$/);
    expect(await page.textContent('#progress .percent')).toBe('0%');
    expect(await page.textContent('#progress .pending')).toBe('2');
    await page.evaluate(() => { (globalThis as { __samePage?: boolean }).__samePage = true; });
    svc.worker.start(50);
    await page.locator('#progress .percent', { hasText: /^100%$/ }).waitFor();
    expect(await page.evaluate(() => (globalThis as { __samePage?: boolean }).__samePage)).toBe(true);
    expect(await page.textContent('#progress .status')).toBe('已完成');
    expect(await page.textContent('#progress .sent')).toBe('2');
    expect(await page.textContent('#progress .pending')).toBe('0');
    expect(wechatSaid.get(gulouRoom.id)!.filter((t) => t.startsWith('【技改申报提醒】'))).toHaveLength(1);
    const card = await fake.waitFor(() => fake.inChat('oc_web_gulou').find((m) => m.kind === 'create'), 'the notice in the Feishu group');
    expect(visible(card).title).toBe('技改申报提醒');
    expect(fake.inChat('oc_web_cangshan').filter((m) => m.kind === 'create')).toEqual([]);
    await shot(page, 'web-console-progress.png');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[href$="report.csv"]')]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('\ufeff"渠道","群ID","群名","状态","尝试次数","原因"');
    expect(csv).toContain('"鼓楼区微信企业群","已发送"');
    expect(csv).toContain('"oc_web_gulou","鼓楼区飞书企业群","已发送"');
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  it('cancels a scheduled broadcast before anything is sent', async () => {
    const { context, page, errors } = await newPage();
    await signIn(page);
    await page.waitForSelector('#unanswered');
    await page.goto(`${base}/console/broadcasts`);
    await page.fill('#b-text', '明天上午的座谈会改期。');
    await page.check('input[name=channel][value=feishu]');
    await page.check('input[name=when][value=later]');
    // A time already past is refused, and the refusal is shown on the page.
    await page.fill('input[name=at]', '2020-01-01T09:00');
    await page.click('#compose button[type=submit]');
    await page.locator('#compose-result .error', { hasText: '定时发送的时间必须晚于现在' }).waitFor();
    await page.fill('input[name=at]', '2099-01-01T09:00');
    await page.locator('#audience', { hasText: '定时于 2099-01-01 09:00' }).waitFor();
    const before = fake.messages.length;
    await page.click('#compose button[type=submit]');
    await page.waitForURL(/\/console\/broadcasts\/[0-9a-f-]{36}$/);
    expect(await page.textContent('#progress .status')).toBe('已排期');
    await page.click('#progress button.danger');
    await page.waitForSelector('#progress[data-status=cancelled]');
    expect(await page.textContent('#progress .cancelled')).toBe('2');
    expect(await page.textContent('#progress .pending')).toBe('0');
    expect(fake.messages.length).toBe(before);
    await page.goto(`${base}/console/audit?action=broadcast.cancel`);
    expect(await page.locator('table.audit tbody tr').count()).toBe(1);
    expect(await page.textContent('table.audit tbody')).toContain('web:token:');
    await shot(page, 'web-console-audit.png');
    await page.goto(`${base}/console/policy`);
    expect(await page.textContent('#policies .countdown')).toMatch(/^\d+天$|^已过期\d+天$/);
    await shot(page, 'web-console-policy.png');
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});
