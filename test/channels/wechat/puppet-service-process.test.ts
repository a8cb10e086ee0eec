// The built service as a real process, pointed at a puppet service (the library's PuppetServer
// on 127.0.0.1, serving a mock account), the way a deployment runs it.
// - With a token the service does not accept: the service echoes the token in its refusal
//   ("Invalid Wechaty TOKEN …"); every log level is on, wechaty's own logger too. The refusal
//   must be logged, told to the staff and shown on /readyz, with no trace of the token anywhere.
// - With the right token, a deploy: SIGTERM. Nothing at error level, no staff alert, and the
//   account is still logged in on the puppet service.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mock, PuppetMock } from 'wechaty-puppet-mock';
import { PuppetServer } from 'wechaty-puppet-service';
import { ensureBuilt, freePort, get, startService, type ServiceProcess } from '../../load/service-process.js';
import { until } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'wrong-token-'));
const accepted = `insecure_${randomUUID()}`;
const wrong = `insecure_${randomUUID()}`;
const mocker = new mock.Mocker();
const puppet = new PuppetMock({ mocker });
let server: PuppetServer;
let endpoint: string;
let svc: ServiceProcess | undefined;
let second: ServiceProcess | undefined;

beforeAll(async () => {
  endpoint = `127.0.0.1:${await freePort()}`;
  await puppet.start();
  mocker.login(mocker.createContact({ id: 'wxid_bot', name: '政策助手' }));
  server = new PuppetServer({ endpoint, puppet, token: accepted, tls: { disable: true } } as ConstructorParameters<typeof PuppetServer>[0]);
  await server.start();
  await ensureBuilt();
}, 180_000);

afterAll(async () => {
  for (const p of [svc, second]) if (p && p.child.exitCode === null) p.child.kill('SIGKILL');
  await server?.stop();
  await puppet.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Staff alerts in the log, but the policy's expiry reminder, which may be due on the real date. */
const alertLines = (output: string) => output.split('\n').filter((l) => l.includes('staff alert') && !l.includes('到期提醒'));

it('refuses a wrong token: logged, alerted and shown as not connected, with nothing of the token in the logs', async () => {
  svc = await startService({
    DB_PATH: join(dir, 'bot.db'), LOG_LEVEL: 'trace', WECHATY_LOG: 'silly',
    WECHATY_PUPPET: 'wechaty-puppet-service', WECHATY_PUPPET_SERVICE_TOKEN: wrong,
    WECHATY_PUPPET_SERVICE_ENDPOINT: endpoint, WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: 'true',
  });
  await until(() => svc!.output().includes('COULD NOT START'), 'the start failure to be logged', 60_000);
  await until(() => alertLines(svc!.output()).length > 0, 'the staff alert', 30_000);
  const ready = await get(`${svc.base}/readyz`);
  expect(ready.status).toBe(503);
  expect(JSON.parse(ready.body).channels).toContainEqual(expect.objectContaining({ channel: 'wechat', state: 'reconnecting' }));
  svc.child.kill('SIGTERM');
  expect(await svc.exited).toBe(0);

  const output = svc.output();
  // The refusal itself is there, and it is the token check that refused.
  expect(output).toContain('UNAUTHENTICATED');
  expect(output).toContain('Invalid Wechaty TOKEN \\"[redacted]\\"');
  expect(output.includes(wrong), output.split('\n').filter((l) => l.includes(wrong)).join('\n').slice(0, 2000)).toBe(false);
  expect(output.includes(wrong.slice('insecure_'.length))).toBe(false);
  // A stop is not a logout: nothing at error level about the account, no rescan alert.
  expect(output).not.toContain('LOGGED OUT');
}, 120_000);

it('stops on SIGTERM without logging the account out, without an alert and without an error line', async () => {
  second = await startService({
    DB_PATH: join(dir, 'deploy.db'), LOG_LEVEL: 'info',
    WECHATY_PUPPET: 'wechaty-puppet-service', WECHATY_PUPPET_SERVICE_TOKEN: accepted,
    WECHATY_PUPPET_SERVICE_ENDPOINT: endpoint, WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: 'true',
  });
  await until(() => second!.output().includes('wechat: logged in'), 'the login through the puppet service', 60_000);
  const ready = await get(`${second.base}/readyz`);
  expect(ready.status).toBe(200);
  expect(JSON.parse(ready.body).channels).toContainEqual(expect.objectContaining({ channel: 'wechat', state: 'connected' }));
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);

  const output = second.output();
  expect(output).toContain('wechat: stopped (not a logout)');
  expect(output).not.toContain('LOGGED OUT');
  // No alert but the expiry reminder (see alertLines).
  expect(alertLines(output)).toEqual([]);
  // pino's error level is 50: a deploy is not an incident.
  expect(output).not.toContain('"level":50');
  expect(puppet.isLoggedIn).toBe(true);
}, 120_000);
