import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../policy/index.js';
import { readWechatSettings, splitMessage } from '../../../src/channels/wechat/index.js';
import { buildWechatChannel, isWechatChannel } from '../../../src/channels/wechat/wechat-channel.js';
import { systemClock } from '../../../src/core/ports.js';
import { loadReplies } from '../../../src/dialog/replies.js';
import { createService } from '../../../src/main.js';
import { SqliteChatRegistry } from '../../../src/store/sqlite-chat-registry.js';
import { SqliteProcessedEvents } from '../../../src/store/sqlite-stores.js';
import { SqliteQuestionStats } from '../../../src/store/sqlite-question-stats.js';

const dbPath = () => join(mkdtempSync(join(tmpdir(), 'wechat-wiring-')), 'bot.db');

describe('WeChat settings', () => {
  it('is off without WECHATY_PUPPET, and has defaults otherwise', () => {
    expect(readWechatSettings({ WECHAT_GROUP_KEYWORDS: '政策' })).toBeNull();
    expect(readWechatSettings({ WECHATY_PUPPET: 'wechaty-puppet-wechat4u' })).toMatchObject({
      puppet: 'wechaty-puppet-wechat4u', botName: 'policy-bot', groupKeywords: [], userRatePerMinute: 5, admins: [], maxMessageChars: 1000,
    });
    expect(readWechatSettings({ WECHATY_PUPPET: 'wechaty-puppet-mock', WECHAT_GROUP_KEYWORDS: '政策， 问政策', WECHAT_ADMINS: 'wxid_a,wxid_b' }))
      .toMatchObject({ groupKeywords: ['政策', '问政策'], admins: ['wxid_a', 'wxid_b'] });
  });

  it('rejects a bad value with one line naming the variable, never echoing a token', () => {
    expect(() => readWechatSettings({ WECHATY_PUPPET: 'wechaty-puppet-mock', WECHAT_USER_RATE_PER_MINUTE: 'many' }))
      .toThrow(/^invalid configuration: WECHAT_USER_RATE_PER_MINUTE: .*\(got "many"\)$/);
    expect(() => readWechatSettings({ WECHATY_PUPPET: 'wechaty-puppet-padlocal' })).toThrow(/^invalid configuration: WECHATY_PUPPET: /);
    expect(() => readWechatSettings({ WECHATY_PUPPET: 'wechaty-puppet-service' }))
      .toThrow('invalid configuration: WECHATY_PUPPET_SERVICE_TOKEN: required when WECHATY_PUPPET=wechaty-puppet-service');
    expect(() => readWechatSettings({ WECHATY_PUPPET: 'wechaty-puppet-service', WECHATY_PUPPET_SERVICE_TOKEN: 'short' }))
      .toThrow(/^invalid configuration: WECHATY_PUPPET_SERVICE_TOKEN: [^"]*$/);
    expect(() => readWechatSettings({ WECHATY_PUPPET: 'wechaty-puppet-mock', WECHAT_BOT_NAME: '../escape' })).toThrow(/WECHAT_BOT_NAME/);
  });
});

describe('WeChat channel in the service', () => {
  it('is absent when not configured, and the service still starts', async () => {
    const service = await createService({ DB_PATH: dbPath(), LOG_LEVEL: 'silent' });
    expect(service.channels.filter(isWechatChannel)).toEqual([]);
    await service.close();
  });

  it('is created from the environment, started and stopped with the service', async () => {
    const service = await createService({ DB_PATH: dbPath(), LOG_LEVEL: 'silent', WECHATY_PUPPET: 'wechaty-puppet-mock' });
    const [wechat] = service.channels.filter(isWechatChannel);
    expect(wechat).toBeDefined();
    await service.startChannels();
    expect(wechat.loggedIn()).toBe(false);
    await service.close();
  });

  it('keeps the service up and tells the staff when a puppet-service token cannot be resolved', async () => {
    const service = await createService({ DB_PATH: dbPath(), LOG_LEVEL: 'silent' });
    const alerts: string[] = [];
    const errors: string[] = [];
    const settings = readWechatSettings({
      WECHATY_PUPPET: 'wechaty-puppet-service',
      WECHATY_PUPPET_SERVICE_TOKEN: 'puppet_workpro_00000000-0000-0000-0000-000000000000',
      // Nothing listens there: the lookup fails at once.
      WECHATY_PUPPET_SERVICE_AUTHORITY: '127.0.0.1:1',
    })!;
    const channel = buildWechatChannel(settings, {
      engine: service.engine, replies: loadReplies(join(projectRoot(), 'intents', 'replies.yaml')), questionStats: new SqliteQuestionStats(service.db),
      doc: service.doc, db: service.db, clock: systemClock, dataDir: mkdtempSync(join(tmpdir(), 'wechat-')),
      chats: new SqliteChatRegistry(service.db), events: new SqliteProcessedEvents(service.db),
      alerts: { alert: async (text) => void alerts.push(text) },
      log: { info() {}, debug() {}, warn() {}, error: (_obj, msg) => void errors.push(String(msg)) },
    });
    await channel.start();
    expect(errors.join('\n')).toMatch(/COULD NOT START/);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toContain('无法启动');
    expect(channel.loggedIn()).toBe(false);
    await expect(channel.broadcastSender.send('room@chatroom', { text: 'x' }, 'd1')).rejects.toMatchObject({ kind: 'unavailable' });
    await channel.stop();
    await service.close();
  });

  it('stops the service from starting on a bad setting', async () => {
    await expect(createService({ DB_PATH: dbPath(), LOG_LEVEL: 'silent', WECHATY_PUPPET: 'wechaty-puppet-mock', WECHAT_MAX_MESSAGE_CHARS: '10' }))
      .rejects.toThrow(/^invalid configuration: WECHAT_MAX_MESSAGE_CHARS: /);
  });
});

describe('splitting a long reply', () => {
  it('keeps short text whole and cuts long text at sentence ends', () => {
    expect(splitMessage('  您好。  ', 10)).toEqual(['您好。']);
    const text = '第一句话说完了。第二句也说完了！第三句呢？第四句；第五句。';
    const parts = splitMessage(text, 16);
    expect(parts.join('')).toBe(text);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(16);
      expect(p).toMatch(/[。！？；]$/);
    }
  });

  it('prefers a line break, falls back to commas, and cuts a run-on text hard', () => {
    // The paragraph stays together rather than filling the first message to the brim.
    expect(splitMessage('甲乙丙丁戊己庚\n一。二。三。', 12)).toEqual(['甲乙丙丁戊己庚', '一。二。三。']);
    expect(splitMessage('甲乙丙丁戊己，庚辛壬癸子丑，寅卯辰巳', 8)).toEqual(['甲乙丙丁戊己，', '庚辛壬癸子丑，', '寅卯辰巳']);
    expect(splitMessage('一二三四五六七八九十', 4)).toEqual(['一二三四', '五六七八', '九十']);
  });
});
