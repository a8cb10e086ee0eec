import type { DialogStateStore, ProcessedEvents, QuestionLog, QuestionLogEntry } from '../core/ports.js';
import type { Db } from './database.js';
import { parseStoredState } from './stored-state.js';

export class SqliteDialogStateStore<S> implements DialogStateStore<S> {
  private readonly getStmt;
  private readonly putStmt;
  private readonly delStmt;
  constructor(db: Db, private readonly clock: () => number = Date.now) {
    this.getStmt = db.prepare('SELECT state FROM dialog_states WHERE key = ?').pluck();
    this.putStmt = db.prepare('INSERT INTO dialog_states (key, state, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at');
    this.delStmt = db.prepare('DELETE FROM dialog_states WHERE key = ?');
  }
  get(key: string): S | undefined {
    return parseStoredState<S>(this.getStmt.get(key) as string | undefined);
  }
  put(key: string, state: S): void {
    this.putStmt.run(key, JSON.stringify(state), this.clock());
  }
  delete(key: string): void {
    this.delStmt.run(key);
  }
}

export class SqliteQuestionLog implements QuestionLog {
  private readonly insert;
  constructor(db: Db) {
    this.insert = db.prepare('INSERT INTO question_log (at, channel, chat, user, text, intent, confidence, measures) VALUES (@at, @channel, @chat, @user, @text, @intent, @confidence, @measures)');
  }
  record(e: QuestionLogEntry): void {
    this.insert.run({ ...e, measures: JSON.stringify(e.measures) });
  }
}

export class SqliteProcessedEvents implements ProcessedEvents {
  private readonly insert;
  private readonly pruneStmt;
  constructor(db: Db) {
    this.insert = db.prepare('INSERT OR IGNORE INTO processed_events (id, at) VALUES (?, ?)');
    this.pruneStmt = db.prepare('DELETE FROM processed_events WHERE at < ?');
  }
  markIfNew(id: string, at: number): boolean {
    return this.insert.run(id, at).changes === 1;
  }
  prune(before: number): void {
    this.pruneStmt.run(before);
  }
}
