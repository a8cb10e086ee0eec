// Hostile messages in the middle of an eligibility check, over HTTP with the state in SQLite:
// the check goes on asking the same question, and finishing it gives exactly the result and
// the questions of an undisturbed run. Messages that carry no answer (no Chinese, no digits,
// no leading y/n) must not move it; other users with hostile ids must not touch it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../src/main.js';
import { anyText, FRAGMENTS } from './hostile.js';

const PROFILES: Record<string, string>[] = [
  { tier: '省级专精特新', firstTime: '是', recognizedYear: '2025年', industrial: '是的', techInvestment: '350万', digitalLevel: '二级', provincialAward: '没有' },
  { tier: '国家级小巨人', firstTime: '是', recognizedYear: '去年', industrial: '是', techInvestment: '100万', digitalLevel: '一级', provincialAward: '八十万' },
  { tier: '省级', firstTime: '不是', recognizedYear: '2024', industrial: '不是', techInvestment: '500', digitalLevel: '不清楚', provincialAward: '60万' },
  { tier: '单项冠军', firstTime: '是', recognizedYear: '2025年', industrial: '是', techInvestment: '300万', digitalLevel: '三级', provincialAward: '没有' },
];
const OPENERS = ['我们能享受哪些政策', '帮我算算能拿多少补贴', '我想做个政策体检'];

/** Text that answers nothing: no Chinese, no digits, and no y/n as its first letter (yes/no answers). */
const carriesNoAnswer = (t: string) => {
  const n = t.normalize('NFKC');
  return !/\p{Script=Han}|[0-9]/u.test(n) && !/^[^a-zA-Z]*[yYnN]/.test(n) && n.trim().length > 0;
};
const noise = fc.oneof(anyText, fc.constantFrom(...FRAGMENTS)).filter(carriesNoAnswer);

const tmp = mkdtempSync(join(tmpdir(), 'attack-dialog-'));
let svc: Service;
let baselines: { slots: string[]; awards: unknown }[];
let runs = 0;

interface Reply { status: number; slot: string | null; done: boolean; awards?: unknown; body: Record<string, unknown> }

async function ask(text: string, user: string, chat?: string): Promise<Reply> {
  const res = await svc.server.inject({ method: 'POST', url: '/api/ask', payload: { text, user, ...(chat === undefined ? {} : { chat }) } });
  expect(res.statusCode, res.body).toBeLessThan(500);
  const body = res.json();
  return { status: res.statusCode, slot: body.dialog?.slot ?? null, done: body.dialog?.done ?? true, awards: body.awards, body };
}

/** Runs one check; before answering question i, `interrupt(i)` may send whatever it likes. */
async function runCheck(user: string, profile: Record<string, string>, opener: string, interrupt: (i: number, pending: string) => Promise<void> = async () => {}) {
  let r = await ask(opener, user);
  const slots: string[] = [];
  for (let i = 0; r.slot && !r.done && i < 12; i++) {
    slots.push(r.slot);
    await interrupt(i, r.slot);
    r = await ask(profile[r.slot] ?? '不清楚', user);
  }
  expect(r.done).toBe(true);
  return { slots, awards: r.awards };
}

beforeAll(async () => {
  svc = await createService({ DB_PATH: join(tmp, 'bot.db'), LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '0', USER_RATE_LIMIT_PER_MINUTE: '0' });
  baselines = [];
  for (const [i, p] of PROFILES.entries()) baselines.push(await runCheck(`baseline-${i}`, p, OPENERS[0]));
});
afterAll(async () => {
  await svc?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('an eligibility check under attack', () => {
  it('hostile messages from the same user, other users and other chats never move it or change its result', async () => {
    const attack = fc.record({
      profile: fc.nat({ max: PROFILES.length - 1 }),
      opener: fc.constantFrom(...OPENERS),
      hits: fc.array(fc.record({
        before: fc.nat({ max: 7 }),
        text: noise,
        from: fc.constantFrom('same user', 'same user, other chat', 'hostile user', 'same name in a hostile chat'),
        hostileId: fc.oneof(anyText, fc.constantFrom(...FRAGMENTS)),
      }), { maxLength: 8 }),
    });
    await fc.assert(fc.asyncProperty(attack, async ({ profile, opener, hits }) => {
      const user = `victim-${runs++}`;
      const result = await runCheck(user, PROFILES[profile], opener, async (i, pending) => {
        for (const hit of hits.filter((h) => h.before === i)) {
          if (hit.from === 'same user') {
            const r = await ask(hit.text, user);
            // Not understood (or a 400 for an empty text): the same question again, nothing else.
            if (r.status === 200) expect({ slot: r.slot, done: r.done }, `${JSON.stringify(hit.text)} → ${String(r.body.reply)}`).toEqual({ slot: pending, done: false });
            else expect(r.status).toBe(400);
          } else if (hit.from === 'same user, other chat') {
            await ask(hit.text, user, hit.hostileId || 'x');
          } else if (hit.from === 'hostile user') {
            await ask(hit.text, hit.hostileId || 'x');
          } else {
            await ask(PROFILES[(profile + 1) % PROFILES.length][pending] ?? '是', user, `direct:${user}\u241f${hit.hostileId}`);
          }
        }
      });
      expect(result).toEqual(baselines[profile]);
    }), { numRuns: 25 });
  });

  it('a user or chat id made of SQL and template fragments runs a check like anyone else', async () => {
    for (const [i, id] of ["'; DROP TABLE dialog_states; --", '{docTitle}', '${x}', '__proto__', 'constructor'].entries()) {
      expect(await runCheck(id, PROFILES[i % PROFILES.length], OPENERS[0])).toEqual(baselines[i % PROFILES.length]);
    }
    expect(svc.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(svc.db.prepare('SELECT count(*) FROM dialog_states').pluck().get()).toBeGreaterThan(5);
  });

  it('an answer too big to be a number (400 digits) is not taken, and the stored state stays whole', async () => {
    const user = 'huge-number';
    let r = await ask('我们能享受哪些政策', user);
    for (let i = 0; r.slot && r.slot !== 'techInvestment' && i < 8; i++) r = await ask(PROFILES[0][r.slot], user);
    expect(r.slot).toBe('techInvestment');
    r = await ask('9'.repeat(400), user);
    expect({ slot: r.slot, done: r.done }).toEqual({ slot: 'techInvestment', done: false });
    const stored = svc.db.prepare('SELECT state FROM dialog_states WHERE key LIKE ?').pluck().get(`%${user}`) as string;
    const profile = JSON.parse(stored).check.profile as Record<string, unknown>;
    expect(profile.techInvestment).toBeUndefined();
    expect(Object.values(profile)).not.toContain(null);
    for (let i = 0; r.slot && !r.done && i < 8; i++) r = await ask(PROFILES[0][r.slot], user);
    expect(r.awards).toEqual(baselines[0].awards);
  });
});
