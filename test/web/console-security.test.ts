// The console's protections over plain HTTP (no browser needed): sessions, CSRF, roles,
// revocation, the sign-in rate limit, and escaping of what users typed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/admin/tokens.js';
import { createService, type Service } from '../../src/main.js';
import { SqliteAdminTokens } from '../../src/store/sqlite-admin.js';
import { SqliteChatRegistry } from '../../src/store/sqlite-chat-registry.js';
import { SqliteAuditLog } from '../../src/store/sqlite-admin.js';
import { SqliteQuestionStats } from '../../src/store/sqlite-question-stats.js';
import { loadReplies } from '../../src/dialog/replies.js';
import { webRoutes, type WebDeps } from '../../src/web/index.js';
import type { ReloadReport } from '../../src/web/deps.js';
import { reportCsv } from '../../src/web/broadcast-pages.js';
import { html } from '../../src/web/html.js';

const tmp = mkdtempSync(join(tmpdir(), 'web-security-'));
let svc: Service;
let official: string;
let viewer: string;
let officialId: number;

beforeAll(async () => {
  svc = await createService({ DB_PATH: join(tmp, 'bot.db'), LOG_LEVEL: 'silent' });
  const tokens = new SqliteAdminTokens(svc.db);
  const o = issueToken(tokens, '鼓楼区工信局', 'official', Date.now());
  official = o.token;
  officialId = o.record.id;
  viewer = issueToken(tokens, '观察员', 'viewer', Date.now()).token;
  svc.db.prepare(`INSERT INTO chats (channel, id, kind, name, first_seen, last_seen) VALUES ('feishu', 'oc_1', 'group', '企业群', 0, 0)`).run();
});

afterAll(async () => {
  await svc?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const FAKE_LIBRARY = {
  reloads: [] as string[],
  next: { ok: true, documents: ['fuzhou-zjtx-2024@1', 'fuzhou-zjtx-2027@1'], inForce: 'fuzhou-zjtx-2024@1', problems: [] } as ReloadReport,
  summary: () => [
    { document: 'fuzhou-zjtx-2024@1', title: '福州市支持专精特新中小企业高质量发展的若干措施', status: '征求意见稿', validUntil: '2026-12-31', state: 'active', daysLeft: 30 },
    { document: 'fuzhou-zjtx-2027@1', title: '后续措施', status: '正式稿', number: '榕工信规〔2027〕1号', validUntil: '2029-12-31', state: 'not_yet', daysLeft: 1126 },
  ],
  async reload(trigger: string) {
    FAKE_LIBRARY.reloads.push(trigger);
    return FAKE_LIBRARY.next;
  },
};

const cookieOf = (setCookie: string | string[] | undefined, name: string) =>
  [setCookie ?? []].flat().map((c) => c.split(';')[0]).find((c) => c.startsWith(`${name}=`))!;
const csrfIn = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)![1];
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Signs in as a browser would: the sign-in page's cookie and token, then the session cookie and the page's CSRF token. */
async function signIn(token: string, ip = '10.0.0.1', app = svc.server): Promise<{ cookie: string; csrf: string }> {
  const login = await app.inject({ url: '/console/login', remoteAddress: ip });
  const signin = cookieOf(login.headers['set-cookie'], 'pb_signin');
  const res = await app.inject({ method: 'POST', url: '/console/login', remoteAddress: ip, headers: { ...FORM, cookie: signin }, payload: form({ _csrf: csrfIn(login.body), token }) });
  expect(res.statusCode).toBe(303);
  const cookie = cookieOf(res.headers['set-cookie'], 'pb_console');
  expect(res.headers['set-cookie']).toEqual(expect.arrayContaining([expect.stringMatching(/^pb_console=.*HttpOnly; SameSite=Strict/)]));
  const page = await app.inject({ url: '/console', headers: { cookie } });
  expect(page.statusCode).toBe(200);
  return { cookie, csrf: csrfIn(page.body) };
}

const broadcastCount = () => svc.db.prepare('SELECT COUNT(*) FROM broadcasts').pluck().get();

describe('console sessions', () => {
  it('refuses a change that does not carry the session\'s CSRF token', async () => {
    const { cookie, csrf } = await signIn(official);
    const payload = form({ text: '通知', channel: 'feishu', when: 'now' });
    const without = await svc.server.inject({ method: 'POST', url: '/console/broadcasts', headers: { ...FORM, cookie }, payload });
    expect(without.statusCode).toBe(403);
    expect(without.body).toContain('页面已过期');
    const wrong = await svc.server.inject({ method: 'POST', url: '/console/broadcasts', headers: { ...FORM, cookie, 'x-csrf-token': 'forged' }, payload });
    expect(wrong.statusCode).toBe(403);
    expect(broadcastCount()).toBe(0);
    const right = await svc.server.inject({ method: 'POST', url: '/console/broadcasts', headers: { ...FORM, cookie, 'x-csrf-token': csrf }, payload });
    expect(right.statusCode).toBe(303);
    expect(broadcastCount()).toBe(1);
  });

  it('lets a viewer look but not act, and records the refusal', async () => {
    const { cookie, csrf } = await signIn(viewer);
    expect((await svc.server.inject({ url: '/console/groups', headers: { cookie } })).body).not.toContain('hx-post="/console/groups/update"');
    const res = await svc.server.inject({ method: 'POST', url: '/console/groups/update', headers: { ...FORM, cookie, 'x-csrf-token': csrf }, payload: form({ channel: 'feishu', id: 'oc_1', tags: '鼓楼区', subscribed: 'false' }) });
    expect(res.statusCode).toBe(403);
    expect(new SqliteChatRegistry(svc.db).get('feishu', 'oc_1')).toMatchObject({ tags: [], subscribed: true });
    const denied = svc.db.prepare(`SELECT actor FROM audit_log WHERE action = 'denied'`).pluck().all();
    expect(denied).toEqual([expect.stringContaining('观察员')]);
  });

  it('ends a session when its token is revoked, and on sign-out', async () => {
    const a = await signIn(official);
    new SqliteAdminTokens(svc.db).revoke(officialId, Date.now());
    const after = await svc.server.inject({ url: '/console', headers: { cookie: a.cookie } });
    expect([after.statusCode, after.headers.location]).toEqual([303, '/console/login']);

    const b = await signIn(viewer);
    const out = await svc.server.inject({ method: 'POST', url: '/console/logout', headers: { ...FORM, cookie: b.cookie }, payload: form({ _csrf: b.csrf }) });
    expect(out.statusCode).toBe(303);
    expect((await svc.server.inject({ url: '/console', headers: { cookie: b.cookie } })).statusCode).toBe(303);
  });

  it('limits sign-in attempts from one address', async () => {
    const login = await svc.server.inject({ url: '/console/login', remoteAddress: '10.9.9.9' });
    const cookie = cookieOf(login.headers['set-cookie'], 'pb_signin');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await svc.server.inject({ method: 'POST', url: '/console/login', remoteAddress: '10.9.9.9', headers: { ...FORM, cookie }, payload: form({ _csrf: csrfIn(login.body), token: `guess-${i}` }) });
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
  });
});

describe('the 政策 tab with a policy library', () => {
  it('lists every document with its countdown, and lets only an admin reload them', async () => {
    const db = svc.db;
    const deps: WebDeps = {
      engine: svc.engine, doc: () => svc.doc, replies: loadReplies(new URL('../../intents/replies.yaml', import.meta.url).pathname),
      clock: { now: () => Date.now() }, db, tokens: new SqliteAdminTokens(db), audit: new SqliteAuditLog(db), broadcasts: svc.broadcasts,
      chats: new SqliteChatRegistry(db), questionStats: new SqliteQuestionStats(db), policies: FAKE_LIBRARY,
    };
    const app = Fastify();
    await app.register(webRoutes(deps));
    const admin = issueToken(deps.tokens, '管理员', 'admin', Date.now()).token;
    const official2 = issueToken(deps.tokens, '仓山区工信局', 'official', Date.now()).token;

    const asOfficial = await signIn(official2, '10.0.0.2', app);
    const seen = await app.inject({ url: '/console/policy', headers: { cookie: asOfficial.cookie } });
    expect(seen.body).toContain('榕工信规〔2027〕1号');
    expect(seen.body).toContain('1126天');
    expect(seen.body).not.toContain('hx-post="/console/policy/reload"');
    const refused = await app.inject({ method: 'POST', url: '/console/policy/reload', headers: { cookie: asOfficial.cookie, 'x-csrf-token': asOfficial.csrf } });
    expect(refused.statusCode).toBe(403);
    expect(FAKE_LIBRARY.reloads).toEqual([]);

    const asAdmin = await signIn(admin, '10.0.0.3', app);
    expect((await app.inject({ url: '/console/policy', headers: { cookie: asAdmin.cookie } })).body).toContain('hx-post="/console/policy/reload"');
    const ok = await app.inject({ method: 'POST', url: '/console/policy/reload', headers: { cookie: asAdmin.cookie, 'x-csrf-token': asAdmin.csrf } });
    expect(ok.body).toContain('已重新加载：fuzhou-zjtx-2024@1、fuzhou-zjtx-2027@1');
    FAKE_LIBRARY.next = { ok: false, documents: ['fuzhou-zjtx-2024@1'], inForce: 'fuzhou-zjtx-2024@1', problems: ['document.yaml:12: <validUntil> 不是日期'] };
    const bad = await app.inject({ method: 'POST', url: '/console/policy/reload', headers: { cookie: asAdmin.cookie, 'x-csrf-token': asAdmin.csrf } });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('document.yaml:12: &lt;validUntil&gt; 不是日期');
    expect(FAKE_LIBRARY.reloads).toHaveLength(2);
    expect(db.prepare(`SELECT COUNT(*) FROM audit_log WHERE action = 'policies.reload'`).pluck().get()).toBe(2);
    await app.close();
  });
});

describe('escaping', () => {
  it('turns every interpolated string into text', () => {
    expect(html`<p title="${'" onmouseover="x'}">${'<script>alert(1)</script>'}</p>`.value)
      .toBe('<p title="&quot; onmouseover=&quot;x">&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  });

  it('keeps a group name from running as a spreadsheet formula in the CSV report', () => {
    const csv = reportCsv({
      id: 'b', title: null, status: 'done', scheduledAt: '', createdBy: '', origin: null, text: '',
      counts: { queued: 0, sending: 0, sent: 1, failed: 0, uncertain: 0, skipped: 0, cancelled: 0 },
      deliveries: [{ channel: 'wechat', chat: 'r@chatroom', name: '=HYPERLINK("http://x")', status: 'sent', attempts: 1, error: null }],
    });
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`);
  });

  it('answers bad calculator input with a Chinese message, never a server error', async () => {
    const cases: [string, number, string][] = [
      ['/?tier=provincial&techInvestment=-5', 200, '请填写不小于0的数字'],
      ['/?tier=bogus', 200, '“认定层级”的值不正确'],
      ['/?tier=provincial&tier=champion&recognizedYear=abc', 200, '“认定年份”的值不正确'],
      ['/?tier=little_giant&provincialAward=100&provincialAward=120', 200, '60万元'],
      ['/measures/99', 404, '没有编号为“99”的措施'],
    ];
    for (const [url, status, text] of cases) {
      const res = await svc.server.inject({ url });
      expect([url, res.statusCode]).toEqual([url, status]);
      expect(res.body).toContain(text);
    }
  });

  it('answers a question in the question box as text', async () => {
    const page = await svc.server.inject({ url: '/' });
    const cookie = cookieOf(page.headers['set-cookie'], 'pb_visitor');
    const res = await svc.server.inject({ method: 'POST', url: '/ask', headers: { ...FORM, cookie }, payload: form({ _csrf: csrfIn(page.body), text: '<b>技改</b>补助多少' }) });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('&lt;b&gt;技改&lt;/b&gt;补助多少');
    expect(res.body).not.toContain('<b>');
  });
});
