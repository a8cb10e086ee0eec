// Child of `npm run bench`: eligibility-check turns per second through the real dialog engine
// with its state in SQLite (WAL, a fresh file), many users interleaved turn by turn; and the
// same turns with the state in memory, which shows what the SQLite writes cost.
//   node dist/scripts/bench-dialog.js [--users 300]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../policy/index.js';
import type { Answer } from '../src/core/answer.js';
import type { Turn } from '../src/core/turn.js';
import { createDialogEngine } from '../src/dialog/engine.js';
import { loadReplies } from '../src/dialog/replies.js';
import type { ConversationState } from '../src/dialog/state.js';
import { createService } from '../src/main.js';
import { loadNlu } from '../src/nlu/index.js';
import { MemoryDialogStateStore } from '../src/store/memory-stores.js';
import { percentile } from './bench-service.js';

export interface DialogFigures {
  users: number;
  turns: number;
  completed: number;
  turnsPerSecond: number;
  /** µs per turn: understanding, dialog, state read and written, question logged. */
  p50: number;
  p99: number;
  journalMode: string;
  /** The same turns with the state in memory and no question log: the engine without SQLite. */
  memory: { turnsPerSecond: number; p50: number; p99: number };
}

/** What an enterprise answers to each question of the check; four kinds of enterprise. */
const PROFILES: Record<string, string>[] = [
  { tier: '省级专精特新', firstTime: '是', recognizedYear: '2025年', industrial: '是的', techInvestment: '350万', digitalLevel: '二级', provincialAward: '没有' },
  { tier: '国家级小巨人', firstTime: '是', recognizedYear: '去年', industrial: '是', techInvestment: '100万', digitalLevel: '一级', provincialAward: '八十万' },
  { tier: '省级', firstTime: '不是', recognizedYear: '2024', industrial: '不是', techInvestment: '500', digitalLevel: '不清楚', provincialAward: '60万' },
  { tier: '创新型中小企业', firstTime: '是', recognizedYear: '2025年', industrial: '是', techInvestment: '0', digitalLevel: '三级', provincialAward: '没有' },
];
/** Turns per pass of the event loop. */
const PASS = 20;
const OPENERS = ['我们能享受哪些政策', '帮我算算能拿多少补贴', '我想做个政策体检', '帮我测一下能拿多少奖励'];

async function main() {
  const { values } = parseArgs({ options: { users: { type: 'string', default: '300' } } });
  const users = Number(values.users);
  const dir = mkdtempSync(join(tmpdir(), 'bench-dialog-'));
  const service = await createService({ DB_PATH: join(dir, 'bot.db'), LOG_LEVEL: 'silent' });
  const journalMode = String(service.db.pragma('journal_mode', { simple: true }));
  const inMemory = createDialogEngine({
    doc: service.doc,
    nlu: await loadNlu({ doc: service.doc }),
    replies: loadReplies(join(projectRoot(), 'intents', 'replies.yaml')),
    states: new MemoryDialogStateStore<ConversationState>(),
    questions: { record() {} },
    clock: { now: () => Date.now() },
    idleMs: 3_600_000,
  });

  /**
   * Turns go in passes of 20 (as 20 connections would bring them), and a pass ends when its
   * writes are committed (group commit): the time of a pass, shared by its turns, is what a turn costs.
   */
  const run = async (engine: { handle(turn: Turn): Answer; committed?(): Promise<void> }, round: number) => {
    const ask = (user: number, text: string) =>
      engine.handle({ channel: 'http', chat: `direct:bench-${user}`, user: `bench-${user}`, text, at: Date.now(), mentioned: true });
    const slots: (string | null)[] = [];
    const samples: number[] = [];
    let turns = 0;
    const pass = async (asked: [number, string][]) => {
      const t = process.hrtime.bigint();
      for (const [user, text] of asked) {
        const answer = ask(user + round * users, text);
        slots[user] = answer.dialog && !answer.dialog.done ? answer.dialog.slot : null;
      }
      await engine.committed?.();
      const each = Number(process.hrtime.bigint() - t) / 1000 / asked.length;
      for (let i = 0; i < asked.length; i++) samples.push(each);
      turns += asked.length;
    };
    const inPasses = async (asked: [number, string][]) => {
      for (let i = 0; i < asked.length; i += PASS) await pass(asked.slice(i, i + PASS));
    };
    const started = performance.now();
    await inPasses([...Array(users).keys()].map((u) => [u, OPENERS[u % OPENERS.length]]));
    // Round-robin: every user answers their pending question before anyone answers a second one.
    for (let step = 0; step < 20 && slots.some((s) => s !== null); step++) {
      await inPasses([...Array(users).keys()].filter((u) => slots[u]).map((u) => [u, PROFILES[u % PROFILES.length][slots[u]!] ?? '不清楚']));
    }
    const seconds = (performance.now() - started) / 1000;
    samples.sort((a, b) => a - b);
    return {
      turns, completed: slots.filter((s) => s === null).length,
      turnsPerSecond: turns / seconds, p50: percentile(samples, 0.5), p99: percentile(samples, 0.99),
    };
  };

  // A warm-up round each (the JIT, SQLite's page cache), then the measured ones.
  await run(service.engine, 0);
  await run(inMemory, 0);
  const measured = await run(service.engine, 1);
  const memory = await run(inMemory, 1);
  await service.close();
  rmSync(dir, { recursive: true, force: true });
  const figures: DialogFigures = {
    users, turns: measured.turns, completed: measured.completed,
    turnsPerSecond: measured.turnsPerSecond, p50: measured.p50, p99: measured.p99,
    journalMode,
    memory: { turnsPerSecond: memory.turnsPerSecond, p50: memory.p50, p99: memory.p99 },
  };
  process.stdout.write(JSON.stringify(figures) + '\n');
}

await main();
