// Staff commands as staff read them: numbers from the log, periods in Fuzhou's calendar,
// a polite refusal for everyone else. Runs on the in-memory stats (the contract test pins it to SQLite).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyDocuments, projectRoot, selectPolicyDocument } from '../../policy/index.js';
import type { QuestionLogEntry } from '../../src/core/ports.js';
import { loadReplies } from '../../src/dialog/replies.js';
import { MemoryQuestionStats } from '../../src/staff/memory-question-stats.js';
import { parsePeriod } from '../../src/staff/period.js';
import { createStaffCommands } from '../../src/staff/staff-commands.js';

const root = projectRoot();
const replies = loadReplies(join(root, 'intents', 'replies.yaml'));
const doc = selectPolicyDocument(loadPolicyDocuments(join(root, 'policy', 'documents')));
const HOUR = 3_600_000;
/** Wednesday 2026-05-06 10:00 in Fuzhou. */
const NOW = Date.UTC(2026, 4, 6, 2);
const DAY_START = Date.UTC(2026, 4, 5, 16);

const entry = (at: number, user: string, text: string, intent: string, measures: string[] = []): QuestionLogEntry =>
  ({ at, channel: 'wechat', chat: 'g', user, text, intent, confidence: 0.9, measures });

function commands(log: QuestionLogEntry[]) {
  return createStaffCommands({ stats: new MemoryQuestionStats(log), replies, clock: { now: () => NOW }, measureName: (id) => doc.displayName(id) });
}

const LOG = [
  entry(NOW - 30 * HOUR, 'a', '小巨人配套奖励多少', 'measure.amount', ['1']), // 5月5日
  entry(NOW - 2 * HOUR, 'a', '技改补助需要什么条件', 'measure.conditions', ['3.1']), // 5月6日
  entry(NOW - HOUR, 'b', '技改投资250万够不够', 'measure.amount', ['3.1']),
  entry(NOW - HOUR / 2, 'b', '今天天气怎么样', 'fallback'),
  entry(NOW - 20 * 24 * HOUR, 'c', '很久以前的问题', 'fallback'), // 4月16日
];

describe('/统计', () => {
  it('shows totals, every day of the period and the top measures, for staff', () => {
    const reply = commands(LOG).run('/统计', { isStaff: true });
    expect(reply).toContain('【问答统计】最近7天（4月30日—5月6日）');
    expect(reply).toContain('提问 4 条，来自 2 人；未能解答 1 条，占 25.0%');
    expect(reply).toContain('4月30日　0 条');
    expect(reply).toContain('5月5日　1 条');
    expect(reply).toContain('5月6日　3 条');
    expect(reply).toMatch(/1\. 第三条（鼓励实施技术改造）　2 次\n2\. 第一条（建立梯度培育体系）　1 次/);
  });

  it('takes a period: 今天, 30天, 全部', () => {
    expect(commands(LOG).run('/统计 今天', { isStaff: true })).toContain('提问 3 条，来自 2 人；未能解答 1 条，占 33.3%');
    expect(commands(LOG).run('/统计30天', { isStaff: true })).toContain('提问 5 条');
    const all = commands(LOG).run('/统计 全部', { isStaff: true });
    expect(all).toContain('提问 5 条');
    expect(all).toContain('2026年4月　1 条');
  });

  it('says when nobody asked, and explains a period it cannot read', () => {
    expect(commands([]).run('/统计', { isStaff: true })).toContain('没有人提问');
    expect(commands(LOG).run('/统计 上个世纪', { isStaff: true })).toContain('看不懂时间范围“上个世纪”');
  });
});

describe('/未解答', () => {
  it('lists the recent questions that fell back, with counts and times', () => {
    const reply = commands(LOG).run('/未解答', { isStaff: true });
    expect(reply).toContain('最近7天共 1 条');
    expect(reply).toContain('1. “今天天气怎么样”（1 次，最近一次 5月6日 09:30）');
    expect(reply).not.toContain('很久以前的问题');
    expect(commands(LOG).run('/未解答 全部', { isStaff: true })).toContain('很久以前的问题');
    expect(commands(LOG).run('/未解答 昨天', { isStaff: true })).toContain('昨天没有未能解答的问题');
  });
});

describe('access and help', () => {
  it('refuses every command politely for non-staff', () => {
    for (const text of ['/统计', '/未解答', '/帮助', '/随便']) {
      const reply = commands(LOG).run(text, { isStaff: false });
      expect(reply).toContain('仅对指定的工作人员开放');
      expect(reply).not.toContain('提问');
    }
  });

  it('lists the commands, and names an unknown one', () => {
    const c = commands(LOG);
    expect(c.run('/帮助', { isStaff: true })).toMatch(/\/统计[\s\S]*\/未解答[\s\S]*\/帮助/);
    expect(c.run('／统计', { isStaff: true })).toContain('【问答统计】');
    expect(c.run('/删除 全部', { isStaff: true })).toContain('没有“/删除”这个命令');
    expect(c.isCommand('/统计')).toBe(true);
    expect(c.isCommand('统计一下技改补助')).toBe(false);
  });
});

describe('parsePeriod', () => {
  it('reads periods in Fuzhou days', () => {
    expect(parsePeriod('', NOW, replies)?.range).toEqual({ from: DAY_START - 6 * 24 * HOUR, to: NOW + 1 });
    expect(parsePeriod('昨天', NOW, replies)?.range).toEqual({ from: DAY_START - 24 * HOUR, to: DAY_START });
    expect(parsePeriod('本周', NOW, replies)?.range.from).toBe(DAY_START - 2 * 24 * HOUR); // Monday 5月4日
    expect(parsePeriod('本月', NOW, replies)?.range.from).toBe(DAY_START - 5 * 24 * HOUR);
    expect(parsePeriod('2周', NOW, replies)?.label).toBe('最近14天');
    expect(parsePeriod('0天', NOW, replies)).toBeNull();
  });
});
