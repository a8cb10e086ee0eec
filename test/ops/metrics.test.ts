// GET /metrics: scraped and parsed as Prometheus would, after real traffic (HTTP questions, a
// Feishu answer refused once by the fake platform, a queued broadcast). Not public: a token on
// the service's port, or a separate address.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../src/main.js';
import { APP_ID, ENCRYPT_KEY, VERIFICATION_TOKEN, messageEvent, signedRequest } from '../channels/feishu/events.js';
import { FakeOpenPlatform } from '../channels/feishu/fake-open-platform.js';
import { parsePrometheus, valueOf } from './prometheus-text.js';

const dir = mkdtempSync(join(tmpdir(), 'metrics-'));
const TOKEN = 'seed-token-for-metrics-tests';
const fake = new FakeOpenPlatform();
let svc: Service;
let metricsPort: number;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(async () => {
  await fake.start();
  metricsPort = await freePort();
  svc = await createService({
    DB_PATH: join(dir, 'bot.db'), LOG_LEVEL: 'silent', ADMIN_TOKEN: TOKEN, METRICS_PORT: String(metricsPort),
    FEISHU_APP_ID: APP_ID, FEISHU_APP_SECRET: 'app-secret', FEISHU_MODE: 'webhook', FEISHU_DOMAIN: fake.url,
    FEISHU_ENCRYPT_KEY: ENCRYPT_KEY, FEISHU_VERIFICATION_TOKEN: VERIFICATION_TOKEN, BROADCAST_POLL_MS: '3600000',
  });
  await svc.startChannels();
});

afterAll(async () => {
  await svc?.close();
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

const ask = (text: string, user = 'metrics-user') =>
  svc.server.inject({ method: 'POST', url: '/api/ask', payload: { text, user } });

async function scrape() {
  const res = await svc.server.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('text/plain');
  return parsePrometheus(res.body);
}

describe('GET /metrics', () => {
  it('is refused without a valid admin token', async () => {
    expect((await svc.server.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await svc.server.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong-token' } })).statusCode).toBe(401);
  });

  it('counts answers by intent, fallbacks, dialog turns and request latency', async () => {
    expect((await ask('技改补助需要什么条件？')).statusCode).toBe(200);
    expect((await ask('今天天气怎么样')).json().intent).toBe('fallback');
    expect((await ask('我们能享受哪些政策？', 'checker')).json().dialog).toBeTruthy();
    const samples = await scrape();
    expect(valueOf(samples, 'policy_bot_answers_total', { channel: 'http', intent: 'measure.conditions' })).toBe(1);
    expect(valueOf(samples, 'policy_bot_answers_total', { channel: 'http', intent: 'fallback' })).toBe(1);
    expect(valueOf(samples, 'policy_bot_fallbacks_total', { channel: 'http' })).toBe(1);
    expect(valueOf(samples, 'policy_bot_dialog_turns_total', { channel: 'http' })).toBe(1);
    expect(valueOf(samples, 'policy_bot_answer_duration_seconds_count', { channel: 'http' })).toBe(3);
    expect(valueOf(samples, 'policy_bot_http_request_duration_seconds_count', { route: '/api/ask', method: 'POST', status: '200' })).toBe(3);
    // Process metrics come along.
    expect(valueOf(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(valueOf(samples, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('counts platform errors by code, broadcast deliveries by status and the outbox depth', async () => {
    fake.refuseNext(1, { status: 429, code: 99991400, reset: 1 });
    const { body, messageId } = messageEvent({ chatId: 'oc_p2p_metrics', user: 'ou_metrics', text: '有效期到什么时候？' });
    fake.knowMessage(messageId, 'oc_p2p_metrics');
    expect((await svc.server.inject(signedRequest(body))).statusCode).toBe(200);
    await fake.waitFor(() => fake.inChat('oc_p2p_metrics').length > 0, 'the answer after one refusal');

    svc.db.prepare(`INSERT INTO chats (channel, id, kind, name, first_seen, last_seen) VALUES ('feishu', 'oc_group_m', 'group', '测试群', 0, 0)`).run();
    expect(svc.broadcasts.create({ targets: { channel: 'feishu' }, text: '通知', at: Date.now() + 3_600_000 }, 'test').targets).toBe(1);

    const samples = await scrape();
    expect(valueOf(samples, 'policy_bot_platform_errors_total', { channel: 'feishu', code: '99991400' })).toBe(1);
    expect(valueOf(samples, 'policy_bot_answers_total', { channel: 'feishu', intent: 'policy.validity' })).toBe(1);
    expect(valueOf(samples, 'policy_bot_broadcast_deliveries', { channel: 'feishu', status: 'queued' })).toBe(1);
    expect(valueOf(samples, 'policy_bot_outbox_depth', { channel: 'feishu' })).toBe(1);
    expect(valueOf(samples, 'policy_bot_channel_up', { channel: 'feishu' })).toBe(1);
  });

  it('is served without a token on the separate metrics address, and nothing else is', async () => {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(res.status).toBe(200);
    expect(valueOf(parsePrometheus(await res.text()), 'policy_bot_fallbacks_total', { channel: 'http' })).toBe(1);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/api/ask`)).status).toBe(404);
  });
});
