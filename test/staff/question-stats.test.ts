// The staff statistics' counting rules, run against the SQLite implementation on a real file and
// against the in-memory fake with the same log: a staff test passing on the fake means something.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { QuestionLogEntry } from '../../src/core/ports.js';
import { MemoryQuestionStats } from '../../src/staff/memory-question-stats.js';
import type { QuestionStats } from '../../src/staff/question-stats.js';
import { openDatabase } from '../../src/store/database.js';
import { SqliteQuestionStats } from '../../src/store/sqlite-question-stats.js';
import { SqliteQuestionLog } from '../../src/store/sqlite-stores.js';

const root = mkdtempSync(join(tmpdir(), 'question-stats-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const HOUR = 3_600_000;
/** 2026-05-04 00:00 in Fuzhou (UTC+8). */
const MAY_4 = Date.UTC(2026, 4, 3, 16);

const entry = (at: number, user: string, text: string, intent: string, measures: string[] = [], channel = 'wechat'): QuestionLogEntry =>
  ({ at, channel, chat: `chat-${user}`, user, text, intent, confidence: 0.9, measures });

const LOG: QuestionLogEntry[] = [
  entry(MAY_4 - HOUR, 'a', '前一天的问题', 'measure.amount', ['1']), // 5月3日 23:00
  entry(MAY_4 + HOUR, 'a', '小巨人配套奖励多少', 'measure.amount', ['1']),
  entry(MAY_4 + 2 * HOUR, 'b', '技改补助需要什么条件', 'measure.conditions', ['3.1']),
  entry(MAY_4 + 3 * HOUR, 'b', '今天天气怎么样', 'fallback'),
  entry(MAY_4 + 4 * HOUR, 'c', '我们能享受哪些政策', 'eligibility.start'),
  entry(MAY_4 + 5 * HOUR, 'c', '省级专精特新', 'eligibility.answer'),
  entry(MAY_4 + 6 * HOUR, 'c', '是', 'eligibility.answer', ['1', '3.1', '4']),
  entry(MAY_4 + 23 * HOUR, 'a', '今天天气怎么样', 'fallback', [], 'feishu'), // still 5月4日 23:00
  entry(MAY_4 + 25 * HOUR, 'd', '第一条说了什么', 'measure.content', ['1'], 'feishu'), // 5月5日 01:00
  entry(MAY_4 + 26 * HOUR, 'd', '明天会下雨吗', 'fallback', [], 'feishu'),
];

function sqlite(): QuestionStats {
  const db = openDatabase(join(root, `db-${Math.random().toString(36).slice(2)}`, 'bot.db'));
  const log = new SqliteQuestionLog(db);
  for (const e of LOG) log.record(e);
  return new SqliteQuestionStats(db);
}

describe.each([
  ['SQLite on a real file', sqlite],
  ['in-memory fake', () => new MemoryQuestionStats(LOG)],
])('QuestionStats (%s)', (_, make) => {
  const stats = make();
  const may4to5 = { from: MAY_4, to: MAY_4 + 48 * HOUR };

  it('counts questions, fallbacks, checks and people; answers inside a check are not questions', () => {
    // People are per channel: user a on WeChat and on Feishu are two.
    expect(stats.totals(may4to5)).toEqual({ questions: 7, fallbacks: 3, checks: 1, people: 5 });
    expect(stats.totals({ from: 0, to: MAY_4 })).toEqual({ questions: 1, fallbacks: 0, checks: 0, people: 1 });
    expect(stats.totals({ from: 0, to: 1 })).toEqual({ questions: 0, fallbacks: 0, checks: 0, people: 0 });
  });

  it('groups questions by the day in Fuzhou, not in UTC', () => {
    expect(stats.perDay({ from: 0, to: MAY_4 + 48 * HOUR }, 480)).toEqual([
      { day: '2026-05-03', count: 1 },
      { day: '2026-05-04', count: 5 },
      { day: '2026-05-05', count: 2 },
    ]);
  });

  it('ranks the measures asked about, ties by id, ignoring the check result', () => {
    expect(stats.topMeasures(may4to5, 5)).toEqual([{ measure: '1', count: 2 }, { measure: '3.1', count: 1 }]);
    expect(stats.topMeasures(may4to5, 1)).toEqual([{ measure: '1', count: 2 }]);
  });

  it('lists distinct fallback texts, the most recent first', () => {
    expect(stats.recentFallbacks(may4to5, 10)).toEqual([
      { text: '明天会下雨吗', count: 1, lastAt: MAY_4 + 26 * HOUR },
      { text: '今天天气怎么样', count: 2, lastAt: MAY_4 + 23 * HOUR },
    ]);
    expect(stats.recentFallbacks(may4to5, 1)).toHaveLength(1);
  });
});
