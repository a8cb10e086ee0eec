import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../policy/index.js';
import { secretRedactor } from '../../src/core/redact.js';
import { loadReplies } from '../../src/dialog/replies.js';
import { createChannelHealth } from '../../src/health/channel-health.js';
import { readHealthConfig } from '../../src/health/config.js';

const replies = loadReplies(join(projectRoot(), 'intents', 'replies.yaml'));
const quiet = { info() {}, warn() {}, error() {}, debug() {} };

function world(outageAlertMs = 60_000) {
  const now = { t: Date.parse('2026-12-01T09:00:00+08:00') };
  const alerts: string[] = [];
  const health = createChannelHealth({
    clock: { now: () => now.t }, alerts: { alert: async (text) => void alerts.push(text) }, replies, log: quiet, outageAlertMs,
  });
  return { now, alerts, health };
}

describe('channel health', () => {
  it('keeps each channel\'s state, since when, and the last event heard', () => {
    const { now, health } = world();
    health.report('wechat', 'starting');
    now.t += 1000;
    health.report('wechat', 'connected');
    now.t += 5000;
    health.heard('wechat');
    health.report('feishu', 'disabled', 'not configured');
    expect(health.statuses()).toEqual([
      { channel: 'wechat', state: 'connected', since: now.t - 5000, lastEventAt: now.t, detail: undefined },
      { channel: 'feishu', state: 'disabled', since: now.t, lastEventAt: null, detail: 'not configured' },
    ]);
  });

  it('says nothing about an outage shorter than the threshold', async () => {
    const { now, alerts, health } = world();
    health.report('wechat', 'connected');
    health.report('wechat', 'reconnecting', 'event stream error: 14 UNAVAILABLE');
    now.t += 59_000;
    await health.check();
    health.report('wechat', 'connected');
    await health.check();
    expect(alerts).toEqual([]);
  });

  it('tells the staff once when an outage passes the threshold, and once when it ends', async () => {
    const { now, alerts, health } = world();
    health.report('wechat', 'connected');
    health.report('wechat', 'reconnecting', 'event stream error: 14 UNAVAILABLE');
    now.t += 30_000;
    // Failed attempts change the detail; the outage still began at the first loss.
    health.report('wechat', 'reconnecting', '14 UNAVAILABLE: No connection established');
    now.t += 31_000;
    await health.check();
    await health.check();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toBe('【微信机器人】与平台的连接已中断1分钟（2026/12/1 09:00:00起；14 UNAVAILABLE: No connection established），其间无人应答、群发暂停。服务在持续自动重连，恢复后会再通知；无需扫码。');
    now.t += 4 * 60_000;
    health.report('wechat', 'connected');
    await health.check();
    await health.check();
    expect(alerts).toHaveLength(2);
    expect(alerts[1]).toBe('【微信机器人】连接已恢复（中断约5分钟），已恢复应答，暂停的群发会继续发送。');
  });

  it('leaves a channel that never connected to its start-up alert, and a logout to its own', async () => {
    const { now, alerts, health } = world();
    health.report('wechat', 'starting');
    health.report('wechat', 'reconnecting', 'UNAUTHENTICATED');
    health.report('feishu', 'connected');
    health.report('feishu', 'logged_out', 'logged out by the platform');
    now.t += 10 * 60_000;
    await health.check();
    expect(alerts).toEqual([]);
  });

  it('reads its threshold from CHANNEL_OUTAGE_ALERT_SECONDS', () => {
    expect(readHealthConfig({}).CHANNEL_OUTAGE_ALERT_SECONDS).toBe(60);
    expect(readHealthConfig({ CHANNEL_OUTAGE_ALERT_SECONDS: '300' }).CHANNEL_OUTAGE_ALERT_SECONDS).toBe(300);
    expect(() => readHealthConfig({ CHANNEL_OUTAGE_ALERT_SECONDS: '0' })).toThrow(/CHANNEL_OUTAGE_ALERT_SECONDS/);
  });
});

describe('secret redaction', () => {
  it('replaces every secret, however it is embedded, and leaves short values alone', () => {
    const redact = secretRedactor(['puppet_workpro_0123456789', 'app-secret-xyz', undefined, 'short']);
    expect(redact('16 UNAUTHENTICATED: Invalid Wechaty TOKEN "puppet_workpro_0123456789"')).toBe('16 UNAUTHENTICATED: Invalid Wechaty TOKEN "[redacted]"');
    expect(redact('/home/x/.wechaty/puppet_workpro_0123456789/v1 app-secret-xyz app-secret-xyz')).toBe('/home/x/.wechaty/[redacted]/v1 [redacted] [redacted]');
    expect(redact('a short text')).toBe('a short text');
  });
});
