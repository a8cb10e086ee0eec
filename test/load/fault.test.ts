// Load and faults against the built service (`node dist/src/main.js`, loopback, a temp DB):
// many users run eligibility checks at once; the service is stopped with SIGTERM mid-load,
// restarted, loaded again and killed with SIGKILL, restarted again. Every turn that got a 200
// must still be there: the question each user is asked next is the one their acknowledged
// answers lead to, and every check ends with the result an undisturbed run gives.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, send, startService, type ServiceProcess } from './service-process.js';

const USERS = 24;
const PROFILES: Record<string, string>[] = [
  { tier: '省级专精特新', firstTime: '是', recognizedYear: '2025年', industrial: '是的', techInvestment: '350万', digitalLevel: '二级', provincialAward: '没有' },
  { tier: '国家级小巨人', firstTime: '是', recognizedYear: '去年', industrial: '是', techInvestment: '100万', digitalLevel: '一级', provincialAward: '八十万' },
  { tier: '省级', firstTime: '不是', recognizedYear: '2024', industrial: '不是', techInvestment: '500', digitalLevel: '不清楚', provincialAward: '60万' },
  { tier: '单项冠军', firstTime: '是', recognizedYear: '2025年', industrial: '是', techInvestment: '300万', digitalLevel: '三级', provincialAward: '没有' },
];
const OPENER = '我们能享受哪些政策';
/** Answers nothing: the service re-asks the pending question, which shows where the check stands. */
const PROBE = '？';

const dir = mkdtempSync(join(tmpdir(), 'load-fault-'));
const dbPath = join(dir, 'bot.db');
const env = { DB_PATH: dbPath, LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '0', USER_RATE_LIMIT_PER_MINUTE: '0' };
const running: ServiceProcess[] = [];
afterAll(() => {
  for (const s of running) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<ServiceProcess> {
  const s = await startService(env);
  running.push(s);
  return s;
}

interface Ask { status: number; slot: string | null; done: boolean; awards?: unknown }

/** The questions (slots) each profile is asked, in order, and its result: from an undisturbed run. */
const baseline: { slots: string[]; awards: unknown }[] = [];

/** One enterprise running checks over and over; `pos` is the index of its pending slot, -1 between checks. */
interface User {
  id: string;
  profile: number;
  pos: number;
  /** The last request may or may not have been applied (its connection broke after sending). */
  uncertain: boolean;
  paused: boolean;
  acked: number;
  checksDone: number;
}

const violations: string[] = [];
let agent = new Agent({ keepAlive: true, maxSockets: USERS });

async function ask(base: string, user: string, text: string): Promise<Ask> {
  const res = await send(`${base}/api/ask`, { body: { text, user }, agent });
  const body = res.status === 200 ? JSON.parse(res.body) : {};
  return { status: res.status, slot: body.dialog?.slot ?? null, done: body.dialog ? body.dialog.done : true, awards: body.awards };
}

const next = (u: User) => (u.pos === -1 ? 0 : u.pos + 1 < baseline[u.profile].slots.length ? u.pos + 1 : -1);

/** One turn of a user: the opener, or the profile's answer to the pending question. */
async function turn(base: string, u: User): Promise<void> {
  const slots = baseline[u.profile].slots;
  const text = u.pos === -1 ? OPENER : PROFILES[u.profile][slots[u.pos]];
  let r: Ask;
  try {
    r = await ask(base, u.id, text);
  } catch (e) {
    // Refused: never reached the service. Anything else: it may have been answered and the answer lost.
    u.uncertain = (e as NodeJS.ErrnoException).code !== 'ECONNREFUSED';
    u.paused = true;
    return;
  }
  if (r.status !== 200) {
    violations.push(`${u.id}: HTTP ${r.status} to ${text}`);
    u.paused = true;
    return;
  }
  u.acked++;
  const expected = next(u);
  if (expected === -1) {
    if (!r.done) violations.push(`${u.id}: expected the result after ${slots[u.pos]}, was asked ${r.slot}`);
    else if (JSON.stringify(r.awards) !== JSON.stringify(baseline[u.profile].awards)) violations.push(`${u.id}: result differs from an undisturbed run`);
    u.checksDone++;
  } else if (r.done || r.slot !== slots[expected]) {
    violations.push(`${u.id}: after "${text}" expected ${slots[expected]}, was asked ${r.slot}`);
  }
  u.pos = expected;
}

/** Every user turns until `until` resolves or it is paused by a failure. */
async function load(base: string, users: User[], until: Promise<unknown>): Promise<void> {
  let stop = false;
  void until.then(() => (stop = true));
  await Promise.all(users.map(async (u) => {
    while (!stop && !u.paused) await turn(base, u);
  }));
}

/** After a restart: where each check stands must follow from the acknowledged turns alone. */
async function reconcile(base: string, users: User[]): Promise<void> {
  for (const u of users) {
    const r = await ask(base, u.id, PROBE);
    const slots = baseline[u.profile].slots;
    const observed = r.done ? -1 : slots.indexOf(r.slot ?? '');
    const allowed = u.uncertain ? [u.pos, next(u)] : [u.pos];
    if (r.status !== 200 || !allowed.includes(observed)) {
      violations.push(`${u.id}: after restart the check stands at ${observed === -1 ? 'no question' : r.slot}; acknowledged turns say ${allowed.map((p) => (p === -1 ? 'no question' : slots[p])).join(' or ')}`);
    }
    u.pos = observed === -1 && !allowed.includes(-1) ? u.pos : observed;
    u.uncertain = false;
    u.paused = false;
  }
}

/** Every request the service logged as incoming was also logged as completed. */
function unfinishedRequests(log: string): string[] {
  const incoming = new Set<string>();
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { reqId?: string; msg?: string };
    if (!entry.reqId) continue;
    if (entry.msg === 'incoming request') incoming.add(entry.reqId);
    if (entry.msg === 'request completed') incoming.delete(entry.reqId);
  }
  return [...incoming];
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
const totalAcked = (users: User[]) => users.reduce((n, u) => n + u.acked, 0);
/** Resolves once `more` turns have been acknowledged: a fault mid-load, however slow the machine. */
async function afterAcks(users: User[], more: number): Promise<void> {
  const target = totalAcked(users) + more;
  while (totalAcked(users) < target) await delay(10);
}

describe('the service under load and faults', () => {
  beforeAll(async () => {
    await ensureBuilt();
  }, 180_000);

  it('loses no acknowledged turn through SIGTERM and SIGKILL, and drains on SIGTERM', async () => {
    // --- an undisturbed run of each profile
    let svc = await start();
    for (const [i, p] of PROFILES.entries()) {
      const slots: string[] = [];
      let r = await ask(svc.base, `baseline-${i}`, OPENER);
      while (!r.done && r.slot) {
        slots.push(r.slot);
        r = await ask(svc.base, `baseline-${i}`, p[r.slot]);
      }
      baseline.push({ slots, awards: r.awards });
    }
    const users: User[] = Array.from({ length: USERS }, (_, i) => ({ id: `enterprise-${i}`, profile: i % PROFILES.length, pos: -1, uncertain: false, paused: false, acked: 0, checksDone: 0 }));

    // --- load, then SIGTERM in the middle of it
    const sigterm = afterAcks(users, 2 * USERS).then(() => svc.child.kill('SIGTERM'));
    const first = svc;
    await load(svc.base, users, first.exited);
    await sigterm;
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('"msg":"stopped"');
    expect(unfinishedRequests(first.output())).toEqual([]);
    // Closed cleanly: the WAL was checkpointed into the database file and removed.
    expect(existsSync(`${dbPath}-wal`)).toBe(false);
    // The signal came mid-load: users were cut off (refused, or reset after the drain).
    expect(users.some((u) => u.paused)).toBe(true);
    const ackedBeforeTerm = users.reduce((n, u) => n + u.acked, 0);
    expect(ackedBeforeTerm).toBeGreaterThan(USERS);
    expect(violations).toEqual([]);

    /** A fresh connection pool and process on the same file; every acknowledged turn must be there. */
    const restartAndReconcile = async () => {
      agent.destroy();
      agent = new Agent({ keepAlive: true, maxSockets: USERS });
      svc = await start();
      await reconcile(svc.base, users);
      expect(violations).toEqual([]);
    };

    // --- restart, check every conversation, load again, then SIGKILL in the middle of it
    await restartAndReconcile();
    const second = svc;
    const sigkill = afterAcks(users, 2 * USERS).then(() => second.child.kill('SIGKILL'));
    await load(svc.base, users, second.exited);
    await sigkill;
    expect(await second.exited).toBe('SIGKILL');
    expect(users.some((u) => u.uncertain)).toBe(true);
    expect(users.reduce((n, u) => n + u.acked, 0)).toBeGreaterThan(ackedBeforeTerm);
    expect(violations).toEqual([]);

    // --- restart after the crash: the WAL replays; every acknowledged turn is there
    await restartAndReconcile();
    // Finish every check: each must end with the result of an undisturbed run.
    for (const u of users) {
      if (u.pos === -1) continue;
      const done = u.checksDone;
      while (u.checksDone === done && !u.paused) await turn(svc.base, u);
    }
    expect(violations).toEqual([]);
    expect(users.every((u) => u.pos === -1)).toBe(true);
    expect(users.reduce((n, u) => n + u.checksDone, 0)).toBeGreaterThanOrEqual(USERS);

    svc.child.kill('SIGTERM');
    expect(await svc.exited).toBe(0);
    agent.destroy();
    const db = new Database(dbPath, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  }, 180_000);
});
