// Group commit: the turns answered in one pass of the event loop are written in one transaction,
// and a turn counts as stored (its reply may leave) only once that transaction has committed.
// Checked on real SQLite files, with a second connection playing the process after a crash.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { QuestionLogEntry } from '../../src/core/ports.js';
import { checkpointDue, startCheckpointer } from '../../src/store/checkpointer.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { createGroupCommit } from '../../src/store/group-commit.js';

const root = mkdtempSync(join(tmpdir(), 'group-commit-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(root, `bot-${++files}.db`);

interface State { step: string }

const entry = (user: string, text: string): QuestionLogEntry => ({
  at: 1_700_000_000_000, channel: 'http', chat: `direct:${user}`, user, text, intent: 'measure.amount', confidence: 0.9, measures: ['1'],
});

/** What a process opening the file now (after a crash of the writer) would find. */
function onDisk(path: string): { states: Record<string, State>; questions: string[] } {
  const other = new Database(path, { readonly: true });
  try {
    const states = Object.fromEntries((other.prepare('SELECT key, state FROM dialog_states').all() as { key: string; state: string }[]).map((r) => [r.key, JSON.parse(r.state) as State]));
    const questions = other.prepare('SELECT text FROM question_log ORDER BY id').pluck().all() as string[];
    return { states, questions };
  } finally {
    other.close();
  }
}

/** Counts the transactions the store commits (it opens them through db.transaction). */
function countCommits(db: Db): () => number {
  let commits = 0;
  const original = db.transaction.bind(db);
  db.transaction = ((fn: (...args: never[]) => unknown) => {
    const tx = original(fn);
    return Object.assign((...args: never[]) => {
      const out = tx(...args);
      commits++;
      return out;
    }, tx);
  }) as Db['transaction'];
  return () => commits;
}

describe('group commit of dialog states and the question log', () => {
  it('writes every turn of one event-loop pass in one transaction, durable once committed() settles', async () => {
    const path = freshPath();
    const db = openDatabase(path);
    const commits = countCommits(db);
    const store = createGroupCommit<State>(db);
    for (const user of ['alice', 'bob', 'carol']) {
      store.states.put(`http:${user}`, { step: `asked:${user}` });
      store.questions.record(entry(user, `${user}的问题`));
    }
    const committed = store.committed();
    // Not yet on disk: nothing has been acknowledged either.
    expect(onDisk(path).questions).toEqual([]);
    await committed;
    expect(commits()).toBe(1);
    expect(onDisk(path)).toEqual({
      states: { 'http:alice': { step: 'asked:alice' }, 'http:bob': { step: 'asked:bob' }, 'http:carol': { step: 'asked:carol' } },
      questions: ['alice的问题', 'bob的问题', 'carol的问题'],
    });
    db.close();
  });

  it('lets a turn read what an earlier turn of the same pass wrote, before the commit', async () => {
    const db = openDatabase(freshPath());
    const store = createGroupCommit<State>(db);
    store.states.put('k', { step: 'first' });
    expect(store.states.get('k')).toEqual({ step: 'first' });
    store.states.put('k', { step: 'second' });
    expect(store.states.get('k')).toEqual({ step: 'second' });
    store.states.delete('k');
    expect(store.states.get('k')).toBeUndefined();
    await store.committed();
    expect(store.states.get('k')).toBeUndefined();
    store.states.put('k', { step: 'third' });
    await store.committed();
    expect(store.states.get('k')).toEqual({ step: 'third' });
    db.close();
  });

  it('keeps a state as it was put, even if the caller changes the object afterwards', async () => {
    const db = openDatabase(freshPath());
    const store = createGroupCommit<State>(db);
    const state = { step: 'asked' };
    store.states.put('k', state);
    state.step = 'changed in memory only';
    await store.committed();
    expect(store.states.get('k')).toEqual({ step: 'asked' });
    db.close();
  });

  it('starts a new transaction for the next pass, and settles at once when nothing waits', async () => {
    const path = freshPath();
    const db = openDatabase(path);
    const commits = countCommits(db);
    const store = createGroupCommit<State>(db);
    await store.committed();
    expect(commits()).toBe(0);
    store.questions.record(entry('alice', '第一轮'));
    await store.committed();
    store.questions.record(entry('alice', '第二轮'));
    await store.committed();
    expect(commits()).toBe(2);
    expect(onDisk(path).questions).toEqual(['第一轮', '第二轮']);
    db.close();
  });

  it('rejects the turns of a commit that fails, and stores none of them', async () => {
    const path = freshPath();
    const db = openDatabase(path);
    const failures: number[] = [];
    const store = createGroupCommit<State>(db, { onError: (_e, turns) => failures.push(turns) });
    store.states.put('http:alice', { step: 'asked' });
    store.questions.record(entry('alice', '这一轮会失败'));
    // A log row the table refuses (NOT NULL): the whole transaction rolls back.
    store.questions.record({ ...entry('bob', 'x'), intent: null as unknown as string });
    await expect(store.committed()).rejects.toThrow(/NOT NULL/);
    expect(failures).toEqual([2]);
    expect(onDisk(path)).toEqual({ states: {}, questions: [] });
    // The next pass works again.
    store.questions.record(entry('carol', '下一轮'));
    await store.committed();
    expect(onDisk(path).questions).toEqual(['下一轮']);
    db.close();
  });

  it('commits what is waiting on flush(), before the database closes', () => {
    const path = freshPath();
    const db = openDatabase(path);
    const store = createGroupCommit<State>(db);
    store.questions.record(entry('alice', '关闭前的问题'));
    store.flush();
    db.close();
    expect(onDisk(path).questions).toEqual(['关闭前的问题']);
  });
});

describe('checkpoints on a worker thread', () => {
  it('checkpoints when enough rows were written, or any a while ago', () => {
    expect(checkpointDue(0, 60_000, 20_000, 10_000)).toBe(false);
    expect(checkpointDue(19_999, 9_999, 20_000, 10_000)).toBe(false);
    expect(checkpointDue(20_000, 0, 20_000, 10_000)).toBe(true);
    expect(checkpointDue(1, 10_000, 20_000, 10_000)).toBe(true);
  });

  it('moves committed pages into the database file while the main connection never checkpoints, and removes the WAL on close', async () => {
    const path = freshPath();
    const db = openDatabase(path);
    const checkpointer = startCheckpointer(db, { everyMs: 20, minRows: 1000 });
    expect(checkpointer).toBeDefined();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const sizeBefore = statSync(path).size;
    const store = createGroupCommit<State>(db);
    for (let i = 0; i < 2000; i++) store.questions.record(entry(`user-${i}`, `问题${i}：${'省级专精特新'.repeat(10)}`));
    await store.committed();
    // The worker's checkpoint grows the main file; wait for it (bounded), never for a fixed time.
    for (let waited = 0; statSync(path).size === sizeBefore; waited++) {
      if (waited > 500) throw new Error('no checkpoint from the worker within 10 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(statSync(path).size).toBeGreaterThan(sizeBefore);
    await checkpointer!.stop();
    db.close();
    expect(() => statSync(`${path}-wal`)).toThrow();
    expect(onDisk(path).questions).toHaveLength(2000);
  });

  it('checkpoints again on a new worker, and a few rows once some time has passed', async () => {
    const path = freshPath();
    const db = openDatabase(path);
    const checkpointer = startCheckpointer(db, { everyMs: 20, minRows: 1_000_000, maxDelayMs: 50 });
    const store = createGroupCommit<State>(db);
    for (let round = 1; round <= 2; round++) {
      const sizeBefore = statSync(path).size;
      for (let i = 0; i < 300; i++) store.questions.record(entry(`user-${round}-${i}`, `问题${i}：${'市级专精特新'.repeat(10)}`));
      await store.committed();
      for (let waited = 0; statSync(path).size === sizeBefore; waited++) {
        if (waited > 500) throw new Error(`no checkpoint in round ${round} within 10 s`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    await checkpointer!.stop();
    db.close();
    expect(() => statSync(`${path}-wal`)).toThrow();
    expect(onDisk(path).questions).toHaveLength(600);
  });
});
