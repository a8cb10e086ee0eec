// `npm run admin -- backup <file>` while another process keeps writing: the copy is consistent
// (one snapshot: the question log and the counter written in the same transactions agree), and
// restoring it as docs/operations.md says gives a service that answers with that data.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../policy/index.js';
import { runBackup } from '../../src/admin/cli.js';
import { createService } from '../../src/main.js';
import { openDatabase } from '../../src/store/database.js';

const dir = mkdtempSync(join(tmpdir(), 'backup-'));
let writer: ChildProcess | undefined;

afterAll(() => {
  writer?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Another process writing as fast as it can: each transaction adds a question and moves a counter. */
const WRITER = `
import Database from 'better-sqlite3';
const db = new Database(process.argv[1]);
db.pragma('busy_timeout = 5000');
const add = db.prepare("INSERT INTO question_log (at, channel, chat, user, text, intent, confidence, measures) VALUES (?, 'http', 'c', 'writer', ?, 'fallback', 0, '[]')");
const count = db.prepare("INSERT INTO dialog_states (key, state, updated_at) VALUES ('writer-counter', ?, ?) ON CONFLICT(key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at");
const step = db.transaction((n) => { add.run(Date.now(), String(n)); count.run(String(n), Date.now()); });
for (let n = 1; ; n++) {
  step(n);
  if (n === 200) process.stdout.write('ready\\n');
}
`;

function snapshotOf(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    return {
      questions: db.prepare("SELECT COUNT(*) FROM question_log WHERE user = 'writer'").pluck().get() as number,
      last: db.prepare("SELECT MAX(CAST(text AS INTEGER)) FROM question_log WHERE user = 'writer'").pluck().get() as number,
      counter: Number(db.prepare("SELECT state FROM dialog_states WHERE key = 'writer-counter'").pluck().get()),
      integrity: db.pragma('integrity_check', { simple: true }),
    };
  } finally {
    db.close();
  }
}

describe('online backup', () => {
  it('copies a database under write load consistently, and the copy restores into a working service', async () => {
    const live = join(dir, 'bot.db');
    const env = { DB_PATH: live, LOG_LEVEL: 'silent' };
    openDatabase(live).close();
    // Earlier data that must survive: a real question through the service.
    const before = await createService(env);
    expect((await before.server.inject({ method: 'POST', url: '/api/ask', payload: { text: '技改补助需要什么条件？', user: 'alice' } })).statusCode).toBe(200);
    await before.close();

    writer = spawn(process.execPath, ['--input-type=module', '-e', WRITER, live], { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      writer!.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      writer!.once('exit', (code) => reject(new Error(`the writer exited (${code})`)));
    });

    const copy = join(dir, 'backup.db');
    const lines = await runBackup(copy, env);
    expect(lines[0]).toContain('已备份到');
    const during = snapshotOf(copy);
    // The writer was still going: the live file moves on past the snapshot (a bounded wait, not a timing).
    for (const started = Date.now(); snapshotOf(live).questions <= during.questions; await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() - started > 20_000) throw new Error('the writer stopped writing');
    }
    writer.kill('SIGKILL');
    await new Promise((resolve) => writer!.once('exit', resolve));
    writer = undefined;

    expect(during.integrity).toBe('ok');
    expect(during.questions).toBeGreaterThanOrEqual(200);
    // One snapshot: every transaction is wholly in or wholly out.
    expect(during.last).toBe(during.questions);
    expect(during.counter).toBe(during.questions);
    expect(existsSync(`${copy}.partial`)).toBe(false);

    // Restore as documented: stop the service, put the copy in place (no -wal/-shm beside it), start.
    const restored = join(dir, 'restored', 'bot.db');
    mkdirSync(join(dir, 'restored'));
    copyFileSync(copy, restored);
    const svc = await createService({ DB_PATH: restored, LOG_LEVEL: 'silent' });
    try {
      expect((await svc.server.inject({ method: 'POST', url: '/api/ask', payload: { text: '有效期到什么时候？', user: 'bob' } })).statusCode).toBe(200);
      const users = svc.db.prepare('SELECT user, COUNT(*) AS n FROM question_log GROUP BY user ORDER BY user').all();
      expect(users).toEqual([{ user: 'alice', n: 1 }, { user: 'bob', n: 1 }, { user: 'writer', n: during.questions }]);
    } finally {
      await svc.close();
    }
  }, 60_000);

  it('refuses a backup without a file name', async () => {
    await expect(runBackup(undefined, { DB_PATH: join(dir, 'bot.db') })).rejects.toThrow('用法');
  });
});
