// A successor document takes over on its validFrom, by the clock alone: the draft and a
// clearly fictional "final version" (test/fixtures/policy, 60% instead of 50%, 6万 instead of
// 5万 per event, in force from 2026-12-20) sit in one folder; nothing restarts in between.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../src/main.js';
import { ask, DRAFT_DIR, FINAL_DIR, firstLine, health, policyFolder, TestClock } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'succession-test-'));
const policies = policyFolder(DRAFT_DIR, FINAL_DIR);
const clock = new TestClock('2026-12-19 10:00');
let svc: Service;

beforeAll(async () => {
  svc = await createService({ DB_PATH: join(tmp, 'bot.db'), LOG_LEVEL: 'silent', POLICY_DIR: policies }, clock);
});
afterAll(async () => {
  await svc?.close();
  rmSync(tmp, { recursive: true, force: true });
  rmSync(policies, { recursive: true, force: true });
});

const MATCHING = '省里奖了80万，小巨人市里配套多少';

describe('before the successor begins (2026-12-19)', () => {
  it('answers from the draft and names it', async () => {
    clock.set('2026-12-19 23:50');
    const body = await ask(svc, MATCHING);
    expect(body.reply).toContain('80万元 × 50% = 40万元');
    expect(body.reply).toContain('出处：《福州市支持专精特新中小企业高质量发展的若干措施》（征求意见稿，未编文号）');
    expect((await health(svc)).policy).toBe('fuzhou-zjtx-2024@1');
  });
});

describe('from the successor\'s first day (2026-12-20)', () => {
  it('answers from the final version with its 文号, without a restart', async () => {
    clock.set('2026-12-20 00:10');
    const body = await ask(svc, MATCHING);
    expect(body.reply).toContain('80万元 × 60% = 48万元');
    expect(body.reply).toContain('（正式印发，榕测〔2026〕1号）');
    expect(body.awards).toEqual([expect.objectContaining({ measure: '1', eligible: true, yuan: 480000 })]);
    const h = await health(svc);
    expect(h.policy).toBe('fictional-final-2027@1');
    expect(h.documents.map((d) => [d.document, d.state])).toEqual([['fictional-final-2027@1', 'active'], ['fuzhou-zjtx-2024@1', 'active']]);
  });

  it('still answers about the draft when asked by name, saying it was replaced', async () => {
    const user = 'comparer';
    await ask(svc, '办了2场政银企对接会，每场40家企业6家银行，能奖多少', user);
    const body = await ask(svc, '征求意见稿里怎么说', user);
    expect(firstLine(body.reply)).toContain('以下是《福州市支持专精特新中小企业高质量发展的若干措施》（征求意见稿，未编文号）中的内容');
    expect(firstLine(body.reply)).toContain('已由《福州市支持专精特新中小企业高质量发展的若干措施（虚构测试版）》（正式印发，榕测〔2026〕1号）取代');
    expect(body.reply).toContain('每场次给予牵头组织单位一次性奖励5万元');
    expect(body.awards!.every((a) => a.status === 'expired' && !a.eligible)).toBe(true);
    // The conversation goes on with the version in force.
    expect((await ask(svc, '正式版里对接会每场奖多少', user)).reply).toContain('每场次给予牵头组织单位一次性奖励6万元');
  });

  it('tells a user whose check was computed against the draft that the version changed', async () => {
    const user = 'midnight-checker';
    clock.set('2026-12-19 23:55');
    expect((await ask(svc, '我们能享受哪些政策？', user)).dialog).toEqual({ slot: 'tier', done: false });
    clock.set('2026-12-20 00:05');
    const body = await ask(svc, '国家级小巨人', user);
    expect(firstLine(body.reply)).toContain('政策文件已更新');
  });

  it('says the final version expired once it has (2029-01-02)', async () => {
    clock.set('2029-01-02 09:00');
    const body = await ask(svc, MATCHING);
    expect(firstLine(body.reply)).toContain('（正式印发，榕测〔2026〕1号）已于2028年12月31日到期（2天前）');
    expect((await health(svc)).documents[0]).toMatchObject({ document: 'fictional-final-2027@1', state: 'expired', daysLeft: -2 });
  });
});

describe('a question about a time the draft does not reach, while the successor is known', () => {
  it('points to the successor that will apply then', async () => {
    clock.set('2026-12-10 10:00');
    const body = await ask(svc, '明年一月我们再办一场对接会，还能拿5万吗');
    expect(firstLine(body.reply)).toContain('截至2026年12月31日');
    expect(firstLine(body.reply)).toContain('届时适用的是《福州市支持专精特新中小企业高质量发展的若干措施（虚构测试版）》（正式印发，榕测〔2026〕1号）');
  });
});
