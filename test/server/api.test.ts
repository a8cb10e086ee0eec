// The HTTP API as integrators use it: the real service (real policy document, real NLU,
// real SQLite file) driven through fastify's inject, without opening a port.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../src/main.js';
import { DOCUMENT_DIR } from '../policy/load-document.js';

const CJK = /[\u4e00-\u9fff]/;
const tmp = mkdtempSync(join(tmpdir(), 'api-test-'));
let svc: Service;
/** Every text the API accepted as a question, to compare with the question log. */
const askedTexts: string[] = [];

beforeAll(async () => {
  svc = await createService({ DB_PATH: join(tmp, 'bot.db'), LOG_LEVEL: 'silent' });
});
afterAll(async () => {
  await svc?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function ask(text: string, user = 'api-test-user') {
  const res = await svc.server.inject({ method: 'POST', url: '/api/ask', payload: { text, user } });
  expect(res.statusCode).toBe(200);
  askedTexts.push(text);
  return res.json();
}

/** A rejected request must be the client's fault (4xx) and explain itself in Chinese. */
async function expectRejected(options: InjectOptions) {
  const res = await svc.server.inject(options);
  expect(res.statusCode).toBeGreaterThanOrEqual(400);
  expect(res.statusCode).toBeLessThan(500);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  const body = res.json();
  expect(body).toEqual({ error: expect.any(String), message: expect.stringMatching(CJK) });
  return { status: res.statusCode, body };
}

describe('GET /healthz', () => {
  it('answers 200', async () => {
    const res = await svc.server.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
  });
});

describe('POST /api/ask', () => {
  it('answers a technical-upgrade question: below the 300万 threshold, not eligible', async () => {
    const body = await ask('技改投资250万够不够');
    expect(body.measures[0]).toBe('3.1');
    expect(body.reply).toContain('300万');
    expect(body.awards).toEqual(expect.arrayContaining([expect.objectContaining({ measure: '3.1', eligible: false })]));
  });

  const ask400 = (payload: unknown) => ({ method: 'POST' as const, url: '/api/ask', payload: payload as object });
  it.each([
    ['empty text', { text: '', user: 'u' }],
    ['whitespace-only text', { text: '  \n\t ', user: 'u' }],
    ['text as a number', { text: 42, user: 'u' }],
    ['missing user', { text: '有效期到什么时候' }],
    ['text over 1000 characters', { text: '技'.repeat(1001), user: 'u' }],
  ])('rejects %s with a Chinese 400', async (_, payload) => {
    const { status } = await expectRejected(ask400(payload));
    expect(status).toBe(400);
  });

  it('rejects a body that is not JSON', async () => {
    await expectRejected({ method: 'POST', url: '/api/ask', headers: { 'content-type': 'application/json' }, payload: '{"text": "技改' });
    await expectRejected({ method: 'POST', url: '/api/ask', headers: { 'content-type': 'text/plain' }, payload: '技改投资250万够不够' });
  });

  it('rejects a 1 MB body as too large', async () => {
    const payload = JSON.stringify({ text: '技'.repeat(1024 * 1024 / 3), user: 'u' });
    const { status } = await expectRejected({ method: 'POST', url: '/api/ask', headers: { 'content-type': 'application/json' }, payload });
    expect(status).toBe(413);
  });
});

describe('GET /api/measures', () => {
  it('lists all 15 measures', async () => {
    const res = await svc.server.inject({ method: 'GET', url: '/api/measures' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toHaveLength(15);
  });

  it('returns the verbatim text and responsible units of 3.1', async () => {
    const res = await svc.server.inject({ method: 'GET', url: '/api/measures/3.1' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const source = readFileSync(join(DOCUMENT_DIR, 'source.txt'), 'utf8');
    expect(body.text).toContain('300万元以上可纳入市技改投资补助的支持范围');
    expect(source).toContain(body.text);
    expect(body.units).toEqual(['市工信局', '市财政局']);
  });

  it('answers an unknown id with a Chinese 404', async () => {
    const { status } = await expectRejected({ method: 'GET', url: '/api/measures/99' });
    expect(status).toBe(404);
  });
});

describe('POST /api/eligibility', () => {
  it('awards 100000 yuan under measure 1 to a first-time provincial 工信企业 recognized in 2025', async () => {
    const res = await svc.server.inject({
      method: 'POST', url: '/api/eligibility',
      payload: { tier: 'provincial', firstTime: true, recognizedYear: 2025, industrial: true },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().awards).toEqual(expect.arrayContaining([expect.objectContaining({ measure: '1', eligible: true, yuan: 100_000 })]));
  });

  it('rejects an unknown tier with a Chinese 400', async () => {
    const { status } = await expectRejected({ method: 'POST', url: '/api/eligibility', payload: { tier: 'gold' } });
    expect(status).toBe(400);
  });
});

describe('GET /openapi.json', () => {
  it('documents /api/ask', async () => {
    const res = await svc.server.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().paths)).toContain('/api/ask');
  });
});

describe('question log', () => {
  it('records every question asked, with who asked it', async () => {
    await ask('有效期到什么时候', 'log-user');
    const rows = svc.db.prepare('SELECT text, user, channel FROM question_log ORDER BY id').all() as { text: string; user: string; channel: string }[];
    expect(rows.map((r) => r.text)).toEqual(askedTexts);
    expect(rows.at(-1)).toEqual({ text: '有效期到什么时候', user: 'log-user', channel: 'http' });
  });
});
