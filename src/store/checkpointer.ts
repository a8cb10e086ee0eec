import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './database.js';

/**
 * WAL checkpoints on a worker thread with a connection of its own. SQLite otherwise checkpoints
 * inside the COMMIT that crosses 1,000 WAL pages, on the event loop, with an fsync: the turns
 * waiting on that commit (and every request behind them) stall for it. The worker runs a PASSIVE
 * checkpoint every few hundred milliseconds, which never blocks the writer; if the worker fails,
 * the main connection checkpoints itself again, as SQLite does by default.
 */
export interface Checkpointer {
  /** Closes the worker's connection, so that closing the main one checkpoints and removes the WAL. */
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  everyMs?: number;
  onError?: (message: string) => void;
}

// Plain CommonJS, evaluated in the worker: no build step, and the same under tsx and from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
db.pragma('cache_size = -256');
const tick = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (e) { parentPort.postMessage({ error: String(e && e.message) }); }
};
const timer = setInterval(tick, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.postMessage({ stopped: true });
  parentPort.close();
});
`;

const DEFAULT_AUTOCHECKPOINT = 1000;

export function startCheckpointer(db: Db, options: CheckpointerOptions = {}): Checkpointer | undefined {
  if (db.memory || db.pragma('journal_mode', { simple: true }) !== 'wal') return undefined;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), path: db.name, everyMs: options.everyMs ?? 250 },
    // A few MB are plenty for a loop that issues one pragma.
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8 },
  });
  worker.unref();
  db.pragma('wal_autocheckpoint = 0');
  let failed = false;
  const fallBack = (message: string) => {
    if (failed) return;
    failed = true;
    if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
    options.onError?.(message);
  };
  let stopped: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  worker.on('message', (m: { error?: string; stopped?: boolean }) => {
    if (m.error) options.onError?.(m.error);
    if (m.stopped) stopped();
  });
  worker.on('error', (e) => fallBack(e.message));
  worker.on('exit', () => {
    fallBack('checkpoint worker exited');
    stopped();
  });
  return {
    async stop() {
      failed = true;
      worker.postMessage('stop');
      await done;
      await worker.terminate();
    },
  };
}
