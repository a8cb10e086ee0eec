import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './database.js';

/**
 * WAL checkpoints on a worker thread with a connection of its own. SQLite otherwise checkpoints
 * inside the COMMIT that crosses 1,000 WAL pages, on the event loop, with an fsync: the turns
 * waiting on that commit (and every request behind them) stall for it. Here a PASSIVE checkpoint,
 * which never blocks the writer, runs on a short-lived worker once enough rows have been written
 * (or some were written a while ago); the worker exits after it. A worker that stayed alive cost
 * about 9 MB of resident memory for a thread that sleeps almost all the time. If a worker fails,
 * the main connection checkpoints itself again, as SQLite does by default.
 */
export interface Checkpointer {
  /** Waits for a running checkpoint and starts no other, so that closing the main connection checkpoints and removes the WAL. */
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  /** How often the main connection's count of changed rows is looked at (one cheap statement). */
  everyMs?: number;
  /** Rows written since the last checkpoint that call for the next one. */
  minRows?: number;
  /** A checkpoint at the latest this long after the last one when anything at all was written. */
  maxDelayMs?: number;
  onError?: (message: string) => void;
  /** For tests: the time in ms. */
  now?: () => number;
}

// Plain CommonJS, evaluated in the worker: no build step, and the same under tsx and from dist/.
// One checkpoint, then the connection closes and the thread ends (nothing keeps it alive).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.path, { fileMustExist: true });
  db.pragma('busy_timeout = 1000');
  db.pragma('cache_size = -256');
  db.pragma('wal_checkpoint(PASSIVE)');
  parentPort.postMessage({ done: true });
} catch (e) {
  parentPort.postMessage({ error: String(e && e.message) });
} finally {
  if (db) db.close();
}
`;

const DEFAULT_AUTOCHECKPOINT = 1000;
/**
 * About 10,000 turns (a turn writes its state and its question-log row; twenty turns committed
 * together add some 10 WAL pages), so some 5,000 pages under load. A worker's start costs about
 * 85 ms of CPU on this machine: one every 10,000 turns is under 10 µs a turn.
 */
const DEFAULT_MIN_ROWS = 20_000;
const DEFAULT_MAX_DELAY_MS = 10_000;
const DEFAULT_EVERY_MS = 1000;

/** Whether the rows written since the last checkpoint, and the time since it, call for one now. */
export function checkpointDue(rows: number, sinceLastMs: number, minRows: number, maxDelayMs: number): boolean {
  return rows >= minRows || (rows > 0 && sinceLastMs >= maxDelayMs);
}

export function startCheckpointer(db: Db, options: CheckpointerOptions = {}): Checkpointer | undefined {
  if (db.memory || db.pragma('journal_mode', { simple: true }) !== 'wal') return undefined;
  const now = options.now ?? Date.now;
  const minRows = options.minRows ?? DEFAULT_MIN_ROWS;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  // Rows changed by INSERT, UPDATE and DELETE on the main connection since it opened.
  const changes = db.prepare('SELECT total_changes()').pluck();
  db.pragma('wal_autocheckpoint = 0');
  let checkpointedRows = changes.get() as number;
  let lastAt = now();
  let running: Promise<void> | undefined;
  let failed = false;
  let stopped = false;

  const fallBack = (message: string) => {
    if (failed) return;
    failed = true;
    clearInterval(timer);
    if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
    options.onError?.(message);
  };

  const runWorker = () => new Promise<void>((resolve) => {
    let answered = false;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, path: db.name },
      // A few MB are plenty for a thread that issues three pragmas.
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8 },
    });
    worker.unref();
    worker.on('message', (m: { error?: string; done?: boolean }) => {
      answered = true;
      // A checkpoint that could not run (busy) is logged; the next one is due as before.
      if (m.error) options.onError?.(m.error);
    });
    worker.on('error', (e) => {
      answered = true;
      fallBack(e.message);
    });
    worker.on('exit', () => {
      if (!answered) fallBack('checkpoint worker exited without checkpointing');
      resolve();
    });
  });

  const tick = () => {
    if (running || failed || stopped || !db.open) return;
    const rows = (changes.get() as number) - checkpointedRows;
    const at = now();
    if (!checkpointDue(rows, at - lastAt, minRows, maxDelayMs)) return;
    checkpointedRows += rows;
    lastAt = at;
    running = runWorker().finally(() => {
      running = undefined;
    });
  };
  const timer = setInterval(tick, options.everyMs ?? DEFAULT_EVERY_MS);
  timer.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
