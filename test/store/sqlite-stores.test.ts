// The store keeps conversations, re-delivered event ids and the question log across restarts.
// The SQLite implementation is tested on a real file; the in-memory fakes used by unit tests
// run the same contract, so a test passing against a fake means something for production.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { DialogStateStore, ProcessedEvents, QuestionLog, QuestionLogEntry } from '../../src/core/ports.js';
import { openDatabase, readMigrations, type Db } from '../../src/store/database.js';
import { MemoryDialogStateStore, MemoryProcessedEvents, MemoryQuestionLog } from '../../src/store/memory-stores.js';
import { SqliteDialogStateStore, SqliteProcessedEvents, SqliteQuestionLog } from '../../src/store/sqlite-stores.js';

const root = mkdtempSync(join(tmpdir(), 'store-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let fileCount = 0;
const freshDbPath = () => join(root, `db-${++fileCount}`, 'bot.db');

interface State {
  step: string;
  profile: Record<string, string | number | boolean>;
}

/** One implementation of the three ports, plus the back doors a contract test needs. */
interface Stores {
  states: DialogStateStore<State>;
  events: ProcessedEvents;
  questions: QuestionLog;
  recordedQuestions(): QuestionLogEntry[];
  /** Makes the stored state under key unreadable, as a torn write or a bad hand edit would. */
  corruptState(key: string): void;
  close(): void;
}

function sqliteStores(): Stores {
  const db = openDatabase(freshDbPath());
  return {
    states: new SqliteDialogStateStore<State>(db),
    events: new SqliteProcessedEvents(db),
    questions: new SqliteQuestionLog(db),
    recordedQuestions: () => readQuestionLog(db),
    corruptState: (key) => void db.prepare('UPDATE dialog_states SET state = ? WHERE key = ?').run('{"step": "ask', key),
    close: () => db.close(),
  };
}

function memoryStores(): Stores {
  const states = new MemoryDialogStateStore<State>();
  const questions = new MemoryQuestionLog();
  return {
    states,
    events: new MemoryProcessedEvents(),
    questions,
    recordedQuestions: () => questions.entries,
    corruptState: (key) => void states.states.set(key, '{"step": "ask'),
    close: () => {},
  };
}

function readQuestionLog(db: Db): QuestionLogEntry[] {
  const rows = db.prepare('SELECT at, channel, chat, user, text, intent, confidence, measures FROM question_log ORDER BY id').all() as (Omit<QuestionLogEntry, 'measures'> & { measures: string })[];
  return rows.map((r) => ({ ...r, measures: JSON.parse(r.measures) as string[] }));
}

const aliceState: State = { step: 'ask:firstTime', profile: { tier: 'provincial', techInvestment: 2_500_000, industrial: true } };
const question: QuestionLogEntry = {
  at: 1_700_000_000_000, channel: 'wechat', chat: 'group-1', user: 'alice', text: '技改投资250万够不够', intent: 'measure.conditions', confidence: 0.9, measures: ['3.1'],
};

describe.each([
  ['sqlite', sqliteStores],
  ['memory', memoryStores],
])('store contract (%s)', (_, makeStores) => {
  let stores: Stores;
  afterEach(() => stores?.close());

  it('returns the dialog state that was put, and undefined for an unknown conversation', () => {
    stores = makeStores();
    stores.states.put('wechat:group-1:alice', aliceState);
    expect(stores.states.get('wechat:group-1:alice')).toEqual(aliceState);
    expect(stores.states.get('wechat:group-1:bob')).toBeUndefined();
  });

  it('replaces a state on put and forgets it on delete', () => {
    stores = makeStores();
    stores.states.put('k', aliceState);
    stores.states.put('k', { step: 'done', profile: {} });
    expect(stores.states.get('k')).toEqual({ step: 'done', profile: {} });
    stores.states.delete('k');
    expect(stores.states.get('k')).toBeUndefined();
  });

  it('reads a corrupted state as no dialog instead of throwing', () => {
    stores = makeStores();
    stores.states.put('k', aliceState);
    stores.corruptState('k');
    expect(stores.states.get('k')).toBeUndefined();
    // The conversation can start over on the same key.
    stores.states.put('k', aliceState);
    expect(stores.states.get('k')).toEqual(aliceState);
  });

  it('marks an event id new once, so a re-delivered message is not answered twice', () => {
    stores = makeStores();
    expect(stores.events.markIfNew('evt-1', 1000)).toBe(true);
    expect(stores.events.markIfNew('evt-1', 2000)).toBe(false);
    expect(stores.events.markIfNew('evt-2', 2000)).toBe(true);
  });

  it('prunes only ids older than the cut-off', () => {
    stores = makeStores();
    stores.events.markIfNew('old', 1000);
    stores.events.markIfNew('recent', 5000);
    stores.events.prune(3000);
    expect(stores.events.markIfNew('old', 6000)).toBe(true);
    expect(stores.events.markIfNew('recent', 6000)).toBe(false);
  });

  it('records every question with its channel, user, intent and measures', () => {
    stores = makeStores();
    stores.questions.record(question);
    stores.questions.record({ ...question, user: 'bob', text: '有效期到什么时候', intent: 'policy.validity', measures: [] });
    expect(stores.recordedQuestions()).toEqual([
      question,
      { ...question, user: 'bob', text: '有效期到什么时候', intent: 'policy.validity', measures: [] },
    ]);
  });
});

describe('SQLite on a real file', () => {
  it('creates the database folder when it does not exist', () => {
    const path = join(root, 'nested', 'deeper', 'bot.db');
    const db = openDatabase(path);
    db.close();
    expect(existsSync(path)).toBe(true);
  });

  it('applies each migration once, and reopening changes nothing', () => {
    const path = freshDbPath();
    const migrationCount = readMigrations().length;
    expect(migrationCount).toBeGreaterThan(0);

    const first = openDatabase(path);
    const tables = first.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['dialog_states', 'processed_events', 'question_log', 'schema_migrations']));
    const appliedFirst = first.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all();
    expect(appliedFirst).toHaveLength(migrationCount);
    first.close();

    // Reopening must neither fail on CREATE TABLE nor re-record a migration.
    const second = openDatabase(path);
    expect(second.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all()).toEqual(appliedFirst);
    second.close();
  });

  it('keeps dialog states, seen event ids and questions across a restart', () => {
    const path = freshDbPath();
    const before = openDatabase(path);
    new SqliteDialogStateStore<State>(before).put('wechat:group-1:alice', aliceState);
    new SqliteProcessedEvents(before).markIfNew('evt-1', 1000);
    new SqliteQuestionLog(before).record(question);
    before.close();

    const after = openDatabase(path);
    expect(new SqliteDialogStateStore<State>(after).get('wechat:group-1:alice')).toEqual(aliceState);
    expect(new SqliteProcessedEvents(after).markIfNew('evt-1', 2000)).toBe(false);
    expect(readQuestionLog(after)).toEqual([question]);
    after.close();
  });

  it('stamps a dialog state with the injected clock', () => {
    const db = openDatabase(freshDbPath());
    new SqliteDialogStateStore<State>(db, () => 42).put('k', aliceState);
    expect(db.prepare('SELECT updated_at FROM dialog_states WHERE key = ?').pluck().get('k')).toBe(42);
    db.close();
  });
});
