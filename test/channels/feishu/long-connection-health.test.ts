// The long connection's health: the real Lark SDK opens its WebSocket to the fake open platform
// on 127.0.0.1, the platform drops it, refuses new ones for a while, then takes them again.
// A short drop is ridden out silently; one past the threshold is told to the staff chat once,
// and its end once. The outage's length is moved on a test clock, not waited out.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createService, type Service } from '../../../src/main.js';
import { TestClock, until } from '../wechat/harness.js';
import { APP_ID } from './events.js';
import { FakeOpenPlatform, visible } from './fake-open-platform.js';

const tmp = mkdtempSync(join(tmpdir(), 'feishu-health-'));
const STAFF_CHAT = 'oc_staff_room';
const fake = new FakeOpenPlatform();
const clock = new TestClock();
let svc: Service;

beforeAll(async () => {
  await fake.start();
  svc = await createService({
    DB_PATH: join(tmp, 'bot.db'), LOG_LEVEL: 'silent', FEISHU_APP_ID: APP_ID, FEISHU_APP_SECRET: 'app-secret-for-tests',
    FEISHU_DOMAIN: fake.url, FEISHU_STAFF_CHAT: STAFF_CHAT,
  }, clock);
  // Every state the Feishu channel reports, in order: a reconnection can be quicker than any poll.
  const report = svc.health.report.bind(svc.health);
  svc.health.report = (channel, state, detail) => {
    if (channel === 'feishu') reported.push(state);
    report(channel, state, detail);
  };
  await svc.startChannels();
});

const reported: string[] = [];
/** Waits until the channel reports this state after the given number of earlier reports. */
const reportedSince = (from: number, state: string) => () => reported.slice(from).includes(state);

afterAll(async () => {
  await svc?.close();
  await fake.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const feishuState = () => svc.health.statuses().find((s) => s.channel === 'feishu')?.state;
// The policy's expiry reminder may reach staff too (the real date is within 30 days of the end): not about the connection.
const staffSaid = () => fake.inChat(STAFF_CHAT).map((m) => visible(m).text).filter((t) => !t.includes('到期提醒'));

it('reports the long connection on /readyz, rides out a short drop, and tells the staff once each way about a long one', async () => {
  await until(() => feishuState() === 'connected', 'the long connection to open');
  const ready = await svc.server.inject({ method: 'GET', url: '/readyz' });
  expect(ready.statusCode).toBe(200);
  expect(ready.json().channels).toEqual(expect.arrayContaining([
    expect.objectContaining({ channel: 'feishu', state: 'connected' }),
    expect.objectContaining({ channel: 'wechat', state: 'disabled' }),
  ]));

  // A short drop: the SDK reconnects by itself; nobody is told.
  const before = reported.length;
  fake.dropLongConnections();
  await until(reportedSince(before, 'reconnecting'), 'the drop to show');
  await until(() => feishuState() === 'connected', 'the reconnection');
  await svc.health.check();
  expect(staffSaid()).toEqual([]);

  // A long one: dropped, and new connections refused while the clock moves past a minute.
  fake.longConnectionUp = false;
  fake.dropLongConnections();
  await until(() => feishuState() === 'reconnecting', 'the drop to show');
  const down = await svc.server.inject({ method: 'GET', url: '/readyz' });
  expect(down.statusCode).toBe(503);
  expect(down.json().channels).toContainEqual(expect.objectContaining({ channel: 'feishu', state: 'reconnecting' }));
  clock.advance(61_000);
  await svc.health.check();
  await svc.health.check();
  await fake.waitFor(() => staffSaid().length > 0, 'the outage alert');
  expect(staffSaid()).toHaveLength(1);
  expect(staffSaid()[0]).toContain('【飞书机器人】与平台的连接已中断1分钟');

  fake.longConnectionUp = true;
  await until(() => feishuState() === 'connected', 'the reconnection', 30_000);
  await fake.waitFor(() => staffSaid().length > 1, 'the all-clear');
  expect(staffSaid()[1]).toContain('【飞书机器人】连接已恢复');
  await svc.health.check();
  expect(staffSaid()).toHaveLength(2);
  expect((await svc.server.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
}, 60_000);
