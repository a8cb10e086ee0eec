// Property-based attacks on the HTTP API through the real service (real NLU, real SQLite file,
// fastify's inject): whatever arrives, the answer is a normal answer (fallback allowed) or a
// clear 4xx with a Chinese message, never a 5xx, and the service keeps working afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../src/main.js';
import { anyJson, anyText, FRAGMENTS, QUESTIONS } from './hostile.js';

const CJK = /\p{Script=Han}/u;
const PLACEHOLDER = /\{[A-Za-z_]\w*\}/g;
const tmp = mkdtempSync(join(tmpdir(), 'attack-http-'));
let svc: Service;
let measureIds: Set<string>;

beforeAll(async () => {
  // Rate limits off: this file sends thousands of requests from one address (limits.test.ts tests them).
  svc = await createService({ DB_PATH: join(tmp, 'bot.db'), LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '0', USER_RATE_LIMIT_PER_MINUTE: '0' });
  measureIds = new Set(svc.doc.measures.map((m) => m.id));
});
afterAll(async () => {
  await svc?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** The one rule for every response: a 4xx explains itself in Chinese, a 5xx never happens. */
function expectClearAnswer(res: LightMyRequestResponse, allowed: number[]): void {
  expect(allowed, `status ${res.statusCode}: ${res.body.slice(0, 300)}`).toContain(res.statusCode);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  if (res.statusCode >= 400) {
    const body = res.json();
    expect(body).toEqual({ error: expect.any(String), message: expect.stringMatching(CJK) });
  }
}

/** A 200 from /api/ask keeps the contract and says nothing broken ("undefined", unfilled {placeholders}). */
function expectSoundAnswer(res: LightMyRequestResponse, asked: string): void {
  const body = res.json();
  expect(typeof body.reply).toBe('string');
  expect(body.reply).toMatch(CJK);
  expect(body.reply).not.toMatch(/undefined|NaN|\[object Object\]|Infinity/);
  const unfilled = (body.reply.match(PLACEHOLDER) ?? []).filter((p: string) => !asked.includes(p));
  expect(unfilled, body.reply).toEqual([]);
  expect(typeof body.intent).toBe('string');
  expect(body.measures.every((m: string) => measureIds.has(m))).toBe(true);
  if (body.confidence !== undefined) expect(body.confidence >= 0 && body.confidence <= 1).toBe(true);
  for (const a of body.awards ?? []) {
    expect(measureIds.has(a.measure)).toBe(true);
    if (a.yuan !== null) expect(Number.isFinite(a.yuan) && a.yuan >= 0).toBe(true);
  }
}

const inject = (options: InjectOptions) => svc.server.inject(options);
/** Every UTF-8 byte percent-encoded (encodeURIComponent throws on a lone surrogate). */
const encode = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
const json = (url: string, payload: string, contentType = 'application/json'): InjectOptions =>
  ({ method: 'POST', url, headers: { 'content-type': contentType }, payload });

describe('POST /api/ask under attack', () => {
  it('any text, user and chat: a sound answer or a Chinese 400', async () => {
    await fc.assert(fc.asyncProperty(anyText, anyText, fc.option(anyText, { nil: undefined }), async (text, user, chat) => {
      const res = await inject({ method: 'POST', url: '/api/ask', payload: { text, user, ...(chat === undefined ? {} : { chat }) } });
      expectClearAnswer(res, [200, 400]);
      if (res.statusCode === 200) expectSoundAnswer(res, text);
    }), { numRuns: 300 });
  });

  it('real questions wrapped in injection fragments are still answered', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...QUESTIONS), fc.constantFrom(...FRAGMENTS), fc.constantFrom(...FRAGMENTS), async (q, before, after) => {
      const text = `${before}${q}${after}`.slice(0, 1000);
      const res = await inject({ method: 'POST', url: '/api/ask', payload: { text, user: after } });
      expectClearAnswer(res, [200, 400]);
      if (res.statusCode === 200) expectSoundAnswer(res, text);
    }), { numRuns: 150 });
  });

  it('fields of the wrong JSON type: a Chinese 400 (or an answer when they happen to be right)', async () => {
    await fc.assert(fc.asyncProperty(anyJson, anyJson, fc.option(anyJson, { nil: undefined }), async (text, user, chat) => {
      const res = await inject(json('/api/ask', JSON.stringify({ text, user, ...(chat === undefined ? {} : { chat }) })));
      expectClearAnswer(res, [200, 400]);
    }), { numRuns: 200 });
  });

  it('any JSON document as the body', async () => {
    await fc.assert(fc.asyncProperty(anyJson, async (body) => {
      expectClearAnswer(await inject(json('/api/ask', JSON.stringify(body))), [200, 400]);
    }), { numRuns: 150 });
  });

  it('bodies that are not JSON at all, under any content type', async () => {
    const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', '', 'garbage/\u0000');
    await fc.assert(fc.asyncProperty(anyText, contentType, async (payload, type) => {
      const res = await inject(json('/api/ask', payload, type));
      expectClearAnswer(res, [200, 400, 415]);
    }), { numRuns: 150 });
  });

  it('huge and deeply nested bodies: a Chinese 413 or 400, quickly', async () => {
    const mb = 1024 * 1024;
    const cases: [string, string, number[]][] = [
      ['1 MB question', JSON.stringify({ text: '技'.repeat(mb / 3), user: 'u' }), [413]],
      ['1 MB of garbage', 'x'.repeat(mb), [413]],
      ['1 MB of emoji and control characters', JSON.stringify({ text: '🙏\u0000\u001b'.repeat(mb / 8), user: 'u' }), [413]],
      ['60 KB of nested arrays', '['.repeat(30_000) + ']'.repeat(30_000), [200, 400]],
      ['60 KB of nested objects', '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000), [400]],
      ['60 KB of keys', JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]))), [400]],
      ['a user id of 60 KB', JSON.stringify({ text: '你好', user: 'u'.repeat(60_000) }), [400]],
      ['1,001 characters', JSON.stringify({ text: '补'.repeat(1001), user: 'u' }), [400]],
    ];
    for (const [name, payload, statuses] of cases) {
      const res = await inject(json('/api/ask', payload));
      expect(statuses, `${name}: ${res.statusCode} ${res.body.slice(0, 200)}`).toContain(res.statusCode);
      expectClearAnswer(res, statuses);
    }
    // The limit is the body size, not a guess: exactly 1,000 characters is a question.
    const res = await inject(json('/api/ask', JSON.stringify({ text: '技改补贴'.repeat(250), user: 'u' })));
    expectClearAnswer(res, [200]);
  });
});

describe('the other routes under attack', () => {
  it('POST /api/eligibility with any JSON', async () => {
    const field = fc.oneof(anyJson, fc.constantFrom('none', 'innovative', 'provincial', 'little_giant', 'champion'));
    const body = fc.oneof(anyJson, fc.record({ tier: field, firstTime: anyJson, recognizedYear: anyJson, industrial: anyJson, techInvestment: anyJson, digitalLevel: anyJson, provincialAward: anyJson }, { requiredKeys: [] }));
    await fc.assert(fc.asyncProperty(body, async (b) => {
      expectClearAnswer(await inject(json('/api/eligibility', JSON.stringify(b))), [200, 400]);
    }), { numRuns: 150 });
  });

  it('GET /api/measures/:id and unknown URLs with any text', async () => {
    await fc.assert(fc.asyncProperty(anyText, async (id) => {
      expectClearAnswer(await inject({ method: 'GET', url: `/api/measures/${encode(id)}` }), [200, 400, 404, 414]);
      expectClearAnswer(await inject({ method: 'GET', url: `/api/${encode(id)}?q=${encode(id)}` }), [200, 400, 404, 414]);
    }), { numRuns: 150 });
  });

  it('URLs the router itself refuses: malformed escapes, over-long parameters', async () => {
    for (const url of ['/api/measures/%', '/api/measures/%E0%A4%A', '/%zz', `/api/measures/${'9'.repeat(400)}`, `/api/measures/${'%F0%9F%99%8F'.repeat(60)}`]) {
      const res = await inject({ method: 'GET', url });
      expectClearAnswer(res, [400, 404, 414]);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});

describe('after the attacks', () => {
  it('still answers, and the database is intact', async () => {
    expect((await inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const res = await inject({ method: 'POST', url: '/api/ask', payload: { text: '技改投资250万够不够', user: 'after-attack' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().measures[0]).toBe('3.1');
    expect(svc.db.pragma('integrity_check', { simple: true })).toBe('ok');
    for (const table of ['dialog_states', 'question_log']) expect(svc.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get()).toBeGreaterThan(0);
  });
});
