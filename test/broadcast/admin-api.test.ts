import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../src/admin/cli.js';
import { createService, type Service } from '../../src/main.js';

const dir = mkdtempSync(join(tmpdir(), 'admin-api-'));
const env = { DB_PATH: join(dir, 'bot.db'), LOG_LEVEL: 'silent', ADMIN_TOKEN: 'seed-token-for-first-deploy' };
let svc: Service;
let official: string;
let viewer: string;

beforeAll(async () => {
  // Tokens made the way the README tells an operator to: with the CLI.
  official = runAdminCommand(['token', 'create', '--name', '鼓楼区工信', '--role', 'official'], env)[1];
  viewer = runAdminCommand(['token', 'create', '--name', '观察员', '--role', 'viewer'], env)[1];
  svc = await createService(env);
});
afterAll(() => svc.close());

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

function registerGroups() {
  const db = svc.db;
  const insert = db.prepare(`INSERT OR IGNORE INTO chats (channel, id, kind, name, first_seen, last_seen) VALUES (?, ?, 'group', ?, 0, 0)`);
  insert.run('wechat', 'gulou-1@chatroom', '鼓楼区企业一群');
  insert.run('wechat', 'gulou-2@chatroom', '鼓楼区企业二群');
  insert.run('wechat', 'cangshan@chatroom', '仓山区企业群');
}

describe('admin API', () => {
  it('answers 401 without a valid token and 403 for a token without a broadcasting role', async () => {
    expect((await svc.server.inject({ method: 'GET', url: '/api/admin/broadcasts' })).statusCode).toBe(401);
    const bad = await svc.server.inject({ method: 'GET', url: '/api/admin/broadcasts', headers: auth('pb_wrong') });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().message).toMatch(/管理令牌/);
    const denied = await svc.server.inject({ method: 'GET', url: '/api/admin/broadcasts', headers: auth(viewer) });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().message).toMatch(/没有广播管理权限/);
    expect((await svc.server.inject({ method: 'GET', url: '/api/admin/broadcasts', headers: auth(env.ADMIN_TOKEN) })).statusCode).toBe(200);
  });

  it('lets an official tag groups and queue a notice to a district, recording every action in the audit log', async () => {
    registerGroups();
    for (const id of ['gulou-1@chatroom', 'gulou-2@chatroom']) {
      const tagged = await svc.server.inject({ method: 'PUT', url: `/api/admin/chats/wechat/${encodeURIComponent(id)}/tags`, headers: auth(official), payload: { tags: ['鼓楼区'] } });
      expect(tagged.statusCode).toBe(200);
    }
    const created = await svc.server.inject({
      method: 'POST', url: '/api/admin/broadcasts', headers: auth(official),
      payload: { title: '申报提醒', text: '技改补助开始申报，截至{validUntil}。', measures: ['3.1'], targets: { channel: 'wechat', tags: ['鼓楼区'] } },
    });
    expect(created.statusCode).toBe(200);
    const body = created.json();
    expect(body).toMatchObject({ status: 'scheduled', targets: 2, skipped: [] });
    const view = await svc.server.inject({ method: 'GET', url: `/api/admin/broadcasts/${body.id}`, headers: auth(official) });
    expect(view.json().deliveries.map((d: { chat: string; status: string }) => [d.chat, d.status])).toEqual([
      ['gulou-1@chatroom', 'queued'], ['gulou-2@chatroom', 'queued'],
    ]);
    expect(view.json().text).toContain('2026年12月31日');
    const cancel = await svc.server.inject({ method: 'POST', url: `/api/admin/broadcasts/${body.id}/cancel`, headers: auth(official) });
    expect(cancel.json()).toMatchObject({ cancelled: true, status: 'cancelled' });
    const audit = (await svc.server.inject({ method: 'GET', url: '/api/admin/audit', headers: auth(official) })).json() as { actor: string; action: string; detail: { chats?: string[] } }[];
    const actions = audit.map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['broadcast.create', 'broadcast.cancel', 'chat.tags', 'denied', 'token.create']));
    const createEntry = audit.find((a) => a.action === 'broadcast.create')!;
    expect(createEntry.actor).toContain('鼓楼区工信');
    expect(createEntry.detail.chats).toEqual(['wechat:gulou-1@chatroom', 'wechat:gulou-2@chatroom']);
  });

  it('rejects bad broadcasts with Chinese messages', async () => {
    const cases = [
      { text: '', targets: { channel: 'wechat' } },
      { text: '通知', targets: { channel: 'sms' } },
      { text: '通知', targets: { channel: 'wechat' }, at: '明天' },
      { text: '通知', targets: { channel: 'wechat', tags: ['没有这个区'] } },
    ];
    for (const payload of cases) {
      const res = await svc.server.inject({ method: 'POST', url: '/api/admin/broadcasts', headers: auth(official), payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().message, JSON.stringify(payload)).toMatch(/\p{Script=Han}/u);
    }
  });

  it('revoked tokens stop working', async () => {
    const [, token] = runAdminCommand(['token', 'create', '--name', '临时', '--role', 'official'], env);
    const id = runAdminCommand(['token', 'list'], env).find((l) => l.includes('临时'))!.split('\t')[0].slice(1);
    expect((await svc.server.inject({ method: 'GET', url: '/api/admin/chats', headers: auth(token) })).statusCode).toBe(200);
    runAdminCommand(['token', 'revoke', '--id', id], env);
    expect((await svc.server.inject({ method: 'GET', url: '/api/admin/chats', headers: auth(token) })).statusCode).toBe(401);
  });
});
