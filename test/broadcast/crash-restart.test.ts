// A broadcast survives a real crash: the built service sends a notice to 30 Feishu groups, is
// killed with SIGKILL part-way, and is started again on the same SQLite file. Every group ends
// up with the notice exactly once: nothing lost, nothing sent twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { APP_ID, ENCRYPT_KEY, VERIFICATION_TOKEN } from '../channels/feishu/events.js';
import { FakeOpenPlatform } from '../channels/feishu/fake-open-platform.js';
import { ensureBuilt, send, startService, type ServiceProcess } from '../load/service-process.js';

const GROUPS = Array.from({ length: 30 }, (_, i) => `oc_group_${String(i).padStart(2, '0')}`);
const TOKEN = 'crash-test-admin-token-0123456789';
const tmp = mkdtempSync(join(tmpdir(), 'broadcast-crash-'));
const fake = new FakeOpenPlatform();
let env: Record<string, string>;
let service: ServiceProcess | undefined;

beforeAll(async () => {
  await ensureBuilt();
  await fake.start();
  const dbPath = join(tmp, 'bot.db');
  const db = openDatabase(dbPath);
  const insert = db.prepare(`INSERT INTO chats (channel, id, kind, name, first_seen, last_seen, tags) VALUES ('feishu', ?, 'group', ?, 0, 0, '["鼓楼区"]')`);
  for (const id of GROUPS) insert.run(id, `企业群${id.slice(-2)}`);
  db.close();
  env = {
    DB_PATH: dbPath, LOG_LEVEL: 'warn', ADMIN_TOKEN: TOKEN,
    FEISHU_APP_ID: APP_ID, FEISHU_APP_SECRET: 'app-secret', FEISHU_MODE: 'webhook', FEISHU_DOMAIN: fake.url,
    FEISHU_ENCRYPT_KEY: ENCRYPT_KEY, FEISHU_VERIFICATION_TOKEN: VERIFICATION_TOKEN,
    // Slow enough that the kill lands in the middle of the run.
    BROADCAST_POLL_MS: '100', FEISHU_BROADCAST_GAP_MS: '120',
  };
}, 180_000);

afterAll(async () => {
  service?.child.kill('SIGKILL');
  await fake.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** Polls the admin API until the broadcast is done (bounded). */
async function broadcastWhenDone(base: string, id: string): Promise<{ status: string; counts: Record<string, number> }> {
  for (const started = Date.now(); Date.now() - started < 30_000; await new Promise((r) => setTimeout(r, 100))) {
    const res = await send(`${base}/api/admin/broadcasts/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const body = JSON.parse(res.body) as { status: string; counts: Record<string, number> };
    if (body.status === 'done') return body;
  }
  throw new Error(`broadcast ${id} did not finish`);
}

const noticesIn = (chat: string) => fake.inChat(chat).filter((m) => m.kind === 'create');

it('resumes after SIGKILL with no notice lost and none sent twice', async () => {
  service = await startService(env);
  const created = await send(`${service.base}/api/admin/broadcasts`, {
    method: 'POST', headers: { authorization: `Bearer ${TOKEN}` },
    body: { title: '申报提醒', text: '技改补助开始申报。', targets: { channel: 'feishu', tags: ['鼓楼区'] } },
  });
  expect(created.status).toBe(200);
  const { id } = JSON.parse(created.body) as { id: string };

  await fake.waitFor(() => GROUPS.filter((g) => noticesIn(g).length).length >= 8, 'a part of the groups to be reached', 30_000);
  service.child.kill('SIGKILL');
  expect(await service.exited).toBe('SIGKILL');
  const reachedBeforeCrash = GROUPS.filter((g) => noticesIn(g).length).length;
  expect(reachedBeforeCrash).toBeLessThan(GROUPS.length);

  service = await startService(env);
  await fake.waitFor(() => GROUPS.every((g) => noticesIn(g).length > 0), 'every group to be reached after the restart', 60_000);
  const view = await broadcastWhenDone(service.base, id);
  expect(GROUPS.map((g) => noticesIn(g).length)).toEqual(GROUPS.map(() => 1));
  expect(view.counts).toMatchObject({ sent: 30, failed: 0, uncertain: 0, queued: 0, sending: 0 });
  service.child.kill('SIGTERM');
  expect(await service.exited).toBe(0);
}, 180_000);
