// Secrets never reach the logs. The built service runs as a real process with credentials in
// its environment and every log level on; requests carry tokens in headers and cookies, hit
// the admin API right and wrong, the Feishu webhook with a bad signature, errors of every
// kind; then it stops. Not one secret may appear anywhere in what it wrote.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, freePort, send, startService, type ServiceProcess } from '../load/service-process.js';

const SECRETS = {
  ADMIN_TOKEN: 'admin-secret-7f3a9c1e5b2d4f60',
  FEISHU_APP_SECRET: 'feishu-app-secret-Q8wZ2mK4',
  FEISHU_ENCRYPT_KEY: 'feishu-encrypt-key-Lp5Rt7Vx',
  FEISHU_VERIFICATION_TOKEN: 'feishu-verify-token-Hn3Jd6',
  WECHATY_PUPPET_SERVICE_TOKEN: 'wechaty-token-Ys9Bc2Nf',
};
const BEARER = 'bearer-secret-Mq4Tz8Wk1Xa';
const COOKIE = 'session-secret-Gv6Ru3Pe';

const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
let svc: ServiceProcess | undefined;
afterAll(() => {
  if (svc && svc.child.exitCode === null) svc.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function expectNoSecret(output: string) {
  for (const secret of [...Object.values(SECRETS), BEARER, COOKIE]) {
    expect(output.includes(secret), `secret ${secret.slice(0, 12)}… in the logs:\n${output.split('\n').filter((l) => l.includes(secret)).join('\n').slice(0, 1000)}`).toBe(false);
  }
}

describe('logs', () => {
  beforeAll(async () => {
    await ensureBuilt();
  }, 180_000);

  it('never contain a credential from the environment, a header or a cookie, at trace level', async () => {
    // Feishu is configured (webhook mode) against a loopback port nobody listens on: its start-up
    // call fails, and the failure is logged; nothing leaves the machine.
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    svc = await startService({
      DB_PATH: join(dir, 'bot.db'), LOG_LEVEL: 'trace',
      FEISHU_APP_ID: 'cli_secrets_test', FEISHU_DOMAIN: nowhere, FEISHU_MODE: 'webhook',
      ...SECRETS,
    });
    const headers = { authorization: `Bearer ${BEARER}`, cookie: `sid=${COOKIE}`, 'x-api-key': BEARER };
    const requests = [
      send(`${svc.base}/api/ask`, { body: { text: '技改补助需要什么条件？', user: 'secret-user' }, headers }),
      send(`${svc.base}/api/ask`, { body: { text: '', user: 'secret-user' }, headers }),
      send(`${svc.base}/api/ask`, { body: { text: 42 }, headers }),
      send(`${svc.base}/api/admin/broadcasts`, { headers }),
      send(`${svc.base}/api/admin/broadcasts`, { headers: { authorization: `Bearer ${SECRETS.ADMIN_TOKEN}` } }),
      send(`${svc.base}/api/admin/broadcasts`, { method: 'POST', body: { text: '测试广播', targets: { channel: 'all' } }, headers: { authorization: `Bearer ${SECRETS.ADMIN_TOKEN}` } }),
      send(`${svc.base}/api/admin/audit`, { headers: { authorization: `Bearer ${SECRETS.ADMIN_TOKEN}` } }),
      send(`${svc.base}/feishu/events`, { body: { encrypt: 'AAAA', token: SECRETS.FEISHU_VERIFICATION_TOKEN }, headers: { ...headers, 'x-lark-signature': BEARER, 'x-lark-request-timestamp': '1', 'x-lark-request-nonce': 'n' } }),
      send(`${svc.base}/feishu/events`, { body: { type: 'url_verification', challenge: 'c', token: 'wrong' }, headers }),
      send(`${svc.base}/no/such/route?token=${BEARER}`, { headers }),
    ];
    const results = await Promise.all(requests);
    expect(results.every((r) => r.status > 0 && r.status < 500), results.map((r) => r.status).join(',')).toBe(true);
    // Something was logged about these requests (the check below is not vacuous).
    expect(svc.output()).toContain('incoming request');
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toBe(0);
    expectNoSecret(svc.output());
  });

  it('nor does the one line printed when the configuration is bad', async () => {
    const bad = await startService({ DB_PATH: join(dir, 'bad.db'), PORT: 'not-a-port', ...SECRETS }, 10_000).then(
      () => { throw new Error('started with a bad PORT'); },
      (e: Error) => e.message,
    );
    expect(bad).toMatch(/PORT/);
    expectNoSecret(bad);
  });
});
