// 个人信息保护法: question logs kept QUESTION_LOG_DAYS and no longer (a controllable clock and a
// daily schedule the test triggers), pseudonymous ids in exports, and one person's data exported
// or deleted on request.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../src/admin/cli.js';
import type { Clock } from '../../src/core/ports.js';
import { createService } from '../../src/main.js';
import { openDatabase } from '../../src/store/database.js';

const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'privacy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

class TestClock implements Clock {
  constructor(public t: number) {}
  now() {
    return this.t;
  }
}

const count = (svc: { db: import('../../src/store/database.js').Db }, user: string) =>
  svc.db.prepare('SELECT COUNT(*) FROM question_log WHERE user = ?').pluck().get(user) as number;

describe('question-log retention', () => {
  it('deletes questions older than QUESTION_LOG_DAYS once a day, and keeps the rest', async () => {
    const clock = new TestClock(Date.parse('2026-06-01T00:00:00Z'));
    let daily: (() => void) | undefined;
    const svc = await createService({ DB_PATH: join(dir, 'retention.db'), LOG_LEVEL: 'silent', QUESTION_LOG_DAYS: '30' }, clock, {
      daily: (job) => {
        daily = job;
        return () => (daily = undefined);
      },
    });
    try {
      const ask = (user: string) => svc.server.inject({ method: 'POST', url: '/api/ask', payload: { text: '有效期到什么时候？', user } });
      // The HTTP API stamps questions with the real time; the log is dated by the clock here.
      svc.db.prepare(`INSERT INTO question_log (at, channel, chat, user, text, intent, confidence, measures) VALUES (?, 'http', 'c', ?, '旧问题', 'fallback', 0, '[]')`)
        .run(clock.now() - 40 * DAY, 'old');
      svc.db.prepare(`INSERT INTO question_log (at, channel, chat, user, text, intent, confidence, measures) VALUES (?, 'http', 'c', ?, '较新的问题', 'fallback', 0, '[]')`)
        .run(clock.now() - 20 * DAY, 'recent');
      await svc.startChannels();
      // Start-up runs it once: 40 days is past 30.
      expect([count(svc, 'old'), count(svc, 'recent')]).toEqual([0, 1]);

      // Eleven days later the daily run removes what has turned 31 days old.
      clock.t += 11 * DAY;
      expect(daily).toBeDefined();
      daily!();
      expect(count(svc, 'recent')).toBe(0);
      expect((await ask('today')).statusCode).toBe(200);
    } finally {
      await svc.close();
    }
    expect(daily).toBeUndefined();
  });

  it('defaults to 180 days', async () => {
    const svc = await createService({ DB_PATH: join(dir, 'default.db'), LOG_LEVEL: 'silent' });
    expect(svc.ops.QUESTION_LOG_DAYS).toBe(180);
    await svc.close();
    await expect(createService({ DB_PATH: join(dir, 'bad.db'), LOG_LEVEL: 'silent', QUESTION_LOG_DAYS: '0' })).rejects.toThrow('QUESTION_LOG_DAYS');
  });
});

describe('one person\u2019s data, and pseudonymous exports', () => {
  const env = { DB_PATH: join(dir, 'person.db'), LOG_LEVEL: 'silent' };

  it('exports and then deletes everything about one person, leaving others alone', async () => {
    const svc = await createService(env);
    const ask = (text: string, user: string) => svc.server.inject({ method: 'POST', url: '/api/ask', payload: { text, user } });
    await ask('技改补助需要什么条件？', 'zhang_san');
    await ask('我们能享受哪些政策？', 'zhang_san');
    await ask('有效期到什么时候？', 'li_si');
    await svc.close();

    const exported = JSON.parse(runAdminCommand(['person', 'export', '--channel', 'http', '--user', 'zhang_san'], env).join('\n')) as {
      user: string; pseudonym: string; questions: { text: string }[]; dialogs: unknown[];
    };
    expect(exported.user).toBe('zhang_san');
    expect(exported.pseudonym).toMatch(/^p_[0-9a-f]{16}$/);
    expect(exported.questions.map((q) => q.text)).toEqual(['技改补助需要什么条件？', '我们能享受哪些政策？']);
    expect(exported.dialogs).toHaveLength(1);

    // The question export never names anyone: the same person has the same pseudonym.
    const rows = runAdminCommand(['questions', 'export'], env).map((l) => JSON.parse(l) as { user: string; text: string });
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.user)).toEqual([exported.pseudonym, exported.pseudonym, expect.stringMatching(/^p_/)]);
    expect(JSON.stringify(rows)).not.toMatch(/zhang_san|li_si/);

    expect(runAdminCommand(['person', 'delete', '--channel', 'http', '--user', 'zhang_san'], env)[0]).toContain('提问记录 2 条，对话状态 1 条');
    const after = JSON.parse(runAdminCommand(['person', 'export', '--channel', 'http', '--user', 'zhang_san'], env).join('\n')) as { questions: unknown[]; dialogs: unknown[] };
    expect(after).toMatchObject({ questions: [], dialogs: [] });
    expect(runAdminCommand(['questions', 'export'], env)).toHaveLength(1);
    // The audit trail records the deletion under the pseudonym, not the erased id.
    const db = openDatabase(env.DB_PATH);
    const audit = db.prepare(`SELECT detail FROM audit_log WHERE action = 'person.delete'`).pluck().all() as string[];
    db.close();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toContain(exported.pseudonym);
    expect(audit[0]).not.toContain('zhang_san');
  });
});
