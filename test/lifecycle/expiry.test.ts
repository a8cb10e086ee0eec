// Answers that know the date: the real service, the real document, a clock the test moves.
// The document ends on 2026-12-31 (Fuzhou). "Today" is the city's date, not the server's:
// at 00:30 on 1 January in Fuzhou it is still 31 December in UTC.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../src/main.js';
import { ask, firstLine, health, TestClock } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'expiry-test-'));
const clock = new TestClock('2026-12-31 23:30');
let svc: Service;

beforeAll(async () => {
  svc = await createService({ DB_PATH: join(tmp, 'bot.db'), LOG_LEVEL: 'silent' }, clock);
});
afterAll(async () => {
  await svc?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const MATCHING = '省里奖了80万，小巨人市里配套多少';
const PROFILE = { tier: 'little_giant', firstTime: true, provincialAward: 800000, techInvestment: 3500000, digitalLevel: 2 };

async function eligibility() {
  const res = await svc.server.inject({ method: 'POST', url: '/api/eligibility', payload: PROFILE });
  expect(res.statusCode).toBe(200);
  return res.json() as { reply: string; awards: { measure: string; eligible: boolean; status: string; yuan: number | null }[]; referenceOnly?: boolean };
}

describe('on the last valid day (2026-12-31, 23:30 in Fuzhou)', () => {
  it('answers the amount as current, with no warning, naming the document it quotes', async () => {
    clock.set('2026-12-31 23:30');
    const body = await ask(svc, MATCHING);
    expect(body.reply).not.toContain('到期');
    expect(body.reply).toContain('40万元');
    expect(body.reply).toContain('出处：《福州市支持专精特新中小企业高质量发展的若干措施》（征求意见稿');
    expect(body.awards).toEqual([expect.objectContaining({ measure: '1', eligible: true, yuan: 400000 })]);
  });

  it('gives /api/eligibility results as current and /healthz says 0 days left', async () => {
    const result = await eligibility();
    expect(result.referenceOnly).toBe(false);
    expect(result.awards.find((a) => a.measure === '1')).toMatchObject({ eligible: true, yuan: 400000, status: 'eligible' });
    expect((await health(svc)).documents[0]).toMatchObject({ document: 'fuzhou-zjtx-2024@1', state: 'active', daysLeft: 0 });
  });
});

describe('on the first expired day (2027-01-01, 00:30 in Fuzhou; still 2026-12-31 in UTC)', () => {
  it('says first that the document expired, and claims no award as current', async () => {
    clock.set('2027-01-01 00:30');
    const body = await ask(svc, MATCHING);
    expect(firstLine(body.reply)).toMatch(/已于2026年12月31日到期（1天前）.*仅供参考/);
    expect(body.awards!.length).toBeGreaterThan(0);
    for (const a of body.awards!) expect(a).toMatchObject({ status: 'expired', eligible: false });
  });

  it('starts the eligibility check with the warning, and its result claims nothing', async () => {
    const user = 'checker';
    const start = await ask(svc, '我们能享受哪些政策？', user);
    expect(firstLine(start.reply)).toContain('已于2026年12月31日到期');
    expect(start.dialog).toEqual({ slot: 'tier', done: false });
    await ask(svc, '省级专精特新', user);
    await ask(svc, '是的', user);
    await ask(svc, '2025年', user);
    await ask(svc, '是', user);
    await ask(svc, '技改投了350万', user);
    const result = await ask(svc, '二级', user);
    expect(result.dialog).toEqual({ slot: null, done: true });
    expect(firstLine(result.reply)).toContain('已于2026年12月31日到期');
    expect(result.awards!.every((a) => a.status === 'expired' && !a.eligible)).toBe(true);
  });

  it('gives /api/eligibility results as reference only', async () => {
    const result = await eligibility();
    expect(result.referenceOnly).toBe(true);
    expect(firstLine(result.reply)).toMatch(/^测评结果仅供参考：.*已于2026年12月31日到期（1天前）/);
    expect(result.awards.every((a) => a.status === 'expired' && !a.eligible)).toBe(true);
  });

  it('shows the state on /healthz and counts the days since', async () => {
    expect((await health(svc)).documents[0]).toMatchObject({ state: 'expired', daysLeft: -1 });
    clock.set('2027-01-15 10:00');
    expect(firstLine((await ask(svc, MATCHING)).reply)).toContain('已于2026年12月31日到期（15天前）');
    expect((await health(svc)).documents[0]).toMatchObject({ state: 'expired', daysLeft: -15 });
  });
});

describe('a question about a time after the end date (asked on 2026-12-01)', () => {
  it.each([
    ['明年一月我们再办一场对接会，还能拿5万吗', '2.1', '明年一月'],
    ['技改明年才投，还能纳入吗', '3.1', '明年'],
    ['2027年3月办政银企对接会，每场40家企业6家银行，能奖多少', '2.1', '2027年3月'],
    ['下个季度再办对接活动能拿奖励吗', '2.1', '下个季度'],
    ['年底以后技改投资还能纳入补助吗', '3.1', '年底以后'],
  ])('"%s" gets the end date, no amount, and whom to ask', async (text, measure, words) => {
    clock.set('2026-12-01 10:00');
    const body = await ask(svc, text);
    expect(body.measures[0]).toBe(measure);
    const lead = firstLine(body.reply);
    expect(lead).toContain(`“${words}”`);
    expect(lead).toContain('截至2026年12月31日');
    expect(lead).toContain('无法承诺');
    expect(lead).toContain('市工信局');
    expect(body.reply).not.toContain('按您提供的情况计算');
    for (const a of body.awards ?? []) expect(a).toMatchObject({ status: 'expired', eligible: false, yuan: null });
  });

  it('answers an event inside the validity window as today', async () => {
    clock.set('2026-12-01 10:00');
    const body = await ask(svc, '今年12月办了2场政银企对接会，每场40家企业6家银行，能奖多少');
    expect(body.reply).not.toContain('到期');
    expect(body.reply).toContain('2场 × 5万元 = 10万元');
    expect(body.awards).toEqual([expect.objectContaining({ measure: '2.1', eligible: true, yuan: 100000 })]);
  });

  it('carries no warning on a plain question before expiry', async () => {
    const body = await ask(svc, '技改补助需要什么条件？');
    expect(body.reply).not.toMatch(/到期|注意/);
  });
});
