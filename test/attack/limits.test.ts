// The limits a public endpoint needs, checked through the real service (inject, no port):
// body size, per-IP and per-user rate limits with a Chinese 429, security headers on every
// answer (errors included), and every admin route closed without a token.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../src/main.js';

const CJK = /\p{Script=Han}/u;
const tmp = mkdtempSync(join(tmpdir(), 'limits-'));
const services: Service[] = [];
afterAll(async () => {
  for (const s of services) await s.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function service(env: Record<string, string> = {}): Promise<Service> {
  const svc = await createService({ DB_PATH: join(tmp, `${services.length}.db`), LOG_LEVEL: 'silent', ...env });
  services.push(svc);
  return svc;
}

const ask = (text: string, user: string, remoteAddress = '127.0.0.1'): InjectOptions =>
  ({ method: 'POST', url: '/api/ask', payload: { text, user }, remoteAddress });

function expectChineseError(res: LightMyRequestResponse, status: number, code?: string) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  const body = res.json();
  expect(body.message).toMatch(CJK);
  if (code) expect(body.error).toBe(code);
}

describe('rate limits', () => {
  it('refuses an IP over RATE_LIMIT_PER_MINUTE with a Chinese 429 and Retry-After; other IPs and /healthz go on', async () => {
    const svc = await service({ RATE_LIMIT_PER_MINUTE: '5' });
    for (let i = 0; i < 5; i++) expect((await svc.server.inject(ask('有效期到什么时候', `ip-user-${i}`, '10.0.0.1'))).statusCode).toBe(200);
    const refused = await svc.server.inject(ask('有效期到什么时候', 'ip-user-new', '10.0.0.1'));
    expectChineseError(refused, 429, 'RATE_LIMITED');
    expect(refused.json().message).toMatch(/请求过于频繁.*秒后再试/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await svc.server.inject(ask('有效期到什么时候', 'other', '10.0.0.2'))).statusCode).toBe(200);
    // Health checks (Docker, load balancers) are never refused.
    for (let i = 0; i < 10; i++) expect((await svc.server.inject({ method: 'GET', url: '/healthz', remoteAddress: '10.0.0.1' })).statusCode).toBe(200);
  });

  it('refuses a user over USER_RATE_LIMIT_PER_MINUTE whatever their IP, without touching their conversation', async () => {
    const svc = await service({ USER_RATE_LIMIT_PER_MINUTE: '3' });
    const first = await svc.server.inject(ask('我们能享受哪些政策', 'flooder', '10.0.1.1'));
    expect(first.json().dialog).toEqual({ slot: 'tier', done: false });
    for (const ip of ['10.0.1.2', '10.0.1.3']) expect((await svc.server.inject(ask('你好', 'flooder', ip))).statusCode).toBe(200);
    const refused = await svc.server.inject(ask('省级专精特新', 'flooder', '10.0.1.4'));
    expectChineseError(refused, 429, 'RATE_LIMITED');
    expect(refused.json().message).toContain('每分钟最多3次');
    // The refused answer never reached the dialog: not logged, and the check still waits for the tier.
    const logged = svc.db.prepare("SELECT count(*) FROM question_log WHERE user = 'flooder' AND text = '省级专精特新'").pluck().get();
    expect(logged).toBe(0);
    const state = JSON.parse(svc.db.prepare("SELECT state FROM dialog_states WHERE key LIKE '%flooder'").pluck().get() as string);
    expect(state.check.pending).toBe('tier');
    // Another user is not affected.
    expect((await svc.server.inject(ask('你好', 'neighbour', '10.0.1.4'))).statusCode).toBe(200);
  });

  it('has generous defaults: one user asking 150 questions in a row is never refused', async () => {
    const svc = await service();
    for (let i = 0; i < 150; i++) expect((await svc.server.inject(ask(`第${(i % 10) + 1}条讲的什么`, 'busy-user'))).statusCode).toBe(200);
  });

  it('turns a limit off with 0 and rejects a negative one naming the variable', async () => {
    const svc = await service({ RATE_LIMIT_PER_MINUTE: '0', USER_RATE_LIMIT_PER_MINUTE: '0' });
    for (let i = 0; i < 20; i++) expect((await svc.server.inject(ask('你好', 'unlimited'))).statusCode).toBe(200);
    await expect(service({ USER_RATE_LIMIT_PER_MINUTE: '-1' })).rejects.toThrow(/USER_RATE_LIMIT_PER_MINUTE/);
  });
});

describe('security headers', () => {
  it('are on every answer: 200, 400, 404, 413, 429 and the OpenAPI document', async () => {
    const svc = await service({ RATE_LIMIT_PER_MINUTE: '8' });
    const responses = [
      await svc.server.inject({ method: 'GET', url: '/healthz' }),
      await svc.server.inject(ask('你好', 'headers')),
      await svc.server.inject({ method: 'POST', url: '/api/ask', payload: { text: '' } }),
      await svc.server.inject({ method: 'GET', url: '/no/such/route' }),
      await svc.server.inject({ method: 'POST', url: '/api/ask', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ text: 'x'.repeat(70_000), user: 'u' }) }),
      await svc.server.inject({ method: 'GET', url: '/openapi.json' }),
    ];
    for (let i = 0; i < 5; i++) responses.push(await svc.server.inject(ask('你好', `h${i}`)));
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 400, 404, 413, 200, 200, 200, 200, 429, 429]);
    for (const res of responses) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });
});

describe('request body size', () => {
  it('refuses a body over 64 KB with a Chinese 413 before reading it as a question', async () => {
    const svc = await service();
    const res = await svc.server.inject({ method: 'POST', url: '/api/ask', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ text: '补'.repeat(30_000), user: 'big' }) });
    expectChineseError(res, 413, 'BODY_TOO_LARGE');
  });
});

describe('admin endpoints', () => {
  it('every /api/admin route in the OpenAPI document answers 401 in Chinese without a token or with a wrong one', async () => {
    const svc = await service({ ADMIN_TOKEN: 'a-real-admin-token-0123456789' });
    const paths = (await svc.server.inject({ method: 'GET', url: '/openapi.json' })).json().paths as Record<string, Record<string, unknown>>;
    const admin = Object.entries(paths).filter(([p]) => p.startsWith('/api/admin'))
      .flatMap(([p, methods]) => Object.keys(methods).map((m) => ({ method: m.toUpperCase() as InjectOptions['method'], url: p.replace(/\{[^}]+\}/g, 'x') })));
    expect(admin.length).toBeGreaterThan(0);
    for (const route of admin) {
      for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: 'a-real-admin-token-0123456789' }]) {
        const res = await svc.server.inject({ ...route, headers, payload: route.method === 'GET' ? undefined : {} });
        expectChineseError(res, 401);
      }
    }
    // And the token does open them (so the 401s above are the guard, not a broken route).
    const ok = await svc.server.inject({ method: 'GET', url: '/api/admin/audit', headers: { authorization: 'Bearer a-real-admin-token-0123456789' } });
    expect(ok.statusCode).toBe(200);
  });
});

describe('the Docker image', () => {
  it('runs the service as a non-root user that cannot write its own code', () => {
    const dockerfile = readFileSync(fileURLToPath(new URL('../../Dockerfile', import.meta.url)), 'utf8');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const users = [...runtime.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(users.at(-1));
    // USER comes before CMD, and only /data is handed to that user.
    expect(runtime.indexOf('USER ')).toBeLessThan(runtime.indexOf('CMD '));
    expect([...runtime.matchAll(/chown\s+\S+\s+(\S+)/g)].map((m) => m[1])).toEqual(['/data']);
  });
});
