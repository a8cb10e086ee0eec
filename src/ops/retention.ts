import type { Clock, Logger } from '../core/ports.js';
import type { Db } from '../store/database.js';

const DAY_MS = 86_400_000;

export interface RetentionResult {
  questions: number;
  dialogs: number;
}

/**
 * Personal data kept no longer than needed (个人信息保护法): question-log rows older than `days`,
 * and dialog states untouched for as long, are deleted.
 */
export function purgeExpired(db: Db, now: number, days: number): RetentionResult {
  const before = now - days * DAY_MS;
  return db.transaction(() => ({
    questions: db.prepare('DELETE FROM question_log WHERE at < ?').run(before).changes,
    dialogs: db.prepare('DELETE FROM dialog_states WHERE updated_at < ?').run(before).changes,
  }))();
}

/** Runs `job` now and then once a day; returns the stop function. Tests pass their own scheduler. */
export type DailySchedule = (job: () => void) => () => void;

export const everyDay: DailySchedule = (job) => {
  const timer = setInterval(job, DAY_MS);
  timer.unref();
  return () => clearInterval(timer);
};

export interface RetentionDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  days: number;
  schedule?: DailySchedule;
}

/** The daily retention job: once at start, then every day. */
export function startRetention(deps: RetentionDeps): () => void {
  const run = () => {
    try {
      const removed = purgeExpired(deps.db, deps.clock.now(), deps.days);
      if (removed.questions || removed.dialogs) deps.log.info({ ...removed, days: deps.days }, 'retention: expired personal data deleted');
    } catch (e) {
      deps.log.error({ err: (e as Error).message }, 'retention: could not delete expired data');
    }
  };
  run();
  return (deps.schedule ?? everyDay)(run);
}
