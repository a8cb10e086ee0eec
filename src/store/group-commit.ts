import type { DialogStateStore, QuestionLog, QuestionLogEntry } from '../core/ports.js';
import type { Db } from './database.js';
import { parseStoredState } from './stored-state.js';

/**
 * The dialog states and the question log written in groups: every turn answered in one pass of
 * the event loop is committed in one transaction when the pass ends (setImmediate), instead of
 * two autocommits per turn. A channel replies only once `committed()` has settled, so an
 * acknowledged turn is in the WAL, and survives SIGKILL, as before; what changes is that twenty
 * turns share one COMMIT. Until then the writes wait in memory, where reads see them.
 */
export interface GroupCommit<S> {
  states: DialogStateStore<S>;
  questions: QuestionLog;
  /** Settles when every write made so far is committed; rejects when that commit failed (its writes are dropped). */
  committed(): Promise<void>;
  /** Commits what is waiting now (before the database closes). */
  flush(): void;
}

interface Batch {
  /** Stored JSON by key; null: deleted. */
  states: Map<string, { json: string | null; at: number }>;
  questions: QuestionLogEntry[];
  done: Promise<void>;
  resolve(): void;
  reject(e: unknown): void;
}

export interface GroupCommitOptions {
  clock?: () => number;
  /** When the open batch is committed; the end of the current event-loop pass by default. */
  schedule?: (commit: () => void) => void;
  /** Told when a commit fails (the turns waiting on it are answered with an error). */
  onError?: (e: unknown, turns: number) => void;
}

export function createGroupCommit<S>(db: Db, options: GroupCommitOptions = {}): GroupCommit<S> {
  const clock = options.clock ?? Date.now;
  const schedule = options.schedule ?? ((commit: () => void) => void setImmediate(commit));
  const getStmt = db.prepare('SELECT state FROM dialog_states WHERE key = ?').pluck();
  const putStmt = db.prepare('INSERT INTO dialog_states (key, state, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at');
  const delStmt = db.prepare('DELETE FROM dialog_states WHERE key = ?');
  const insertStmt = db.prepare('INSERT INTO question_log (at, channel, chat, user, text, intent, confidence, measures) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const write = db.transaction((batch: Batch) => {
    for (const [key, s] of batch.states) {
      if (s.json === null) delStmt.run(key);
      else putStmt.run(key, s.json, s.at);
    }
    for (const e of batch.questions) {
      insertStmt.run(e.at, e.channel, e.chat, e.user, e.text, e.intent, e.confidence, JSON.stringify(e.measures));
    }
  });

  let open: Batch | undefined;

  function batch(): Batch {
    if (open) return open;
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A failed commit with nobody waiting on it must not become an unhandled rejection.
    done.catch(() => undefined);
    open = { states: new Map(), questions: [], done, resolve, reject };
    schedule(flush);
    return open;
  }

  function flush(): void {
    const b = open;
    if (!b) return;
    open = undefined;
    try {
      write(b);
    } catch (e) {
      options.onError?.(e, b.questions.length);
      b.reject(e);
      return;
    }
    b.resolve();
  }

  const states: DialogStateStore<S> = {
    get(key) {
      const waiting = open?.states.get(key);
      if (waiting) return waiting.json === null ? undefined : parseStoredState<S>(waiting.json);
      return parseStoredState<S>(getStmt.get(key) as string | undefined);
    },
    put(key, state) {
      batch().states.set(key, { json: JSON.stringify(state), at: clock() });
    },
    delete(key) {
      batch().states.set(key, { json: null, at: clock() });
    },
  };

  const questions: QuestionLog = {
    record(entry) {
      batch().questions.push({ ...entry, measures: [...entry.measures] });
    },
  };

  return {
    states,
    questions,
    committed: () => open?.done ?? Promise.resolve(),
    flush,
  };
}
