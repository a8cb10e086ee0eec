import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChatRegistry } from '../../src/core/ports.js';
import { openDatabase } from '../../src/store/database.js';
import { MemoryChatRegistry } from '../../src/store/memory-stores.js';
import { SqliteChatRegistry } from '../../src/store/sqlite-chat-registry.js';

const implementations: [string, () => ChatRegistry][] = [
  ['sqlite', () => new SqliteChatRegistry(openDatabase(join(mkdtempSync(join(tmpdir(), 'chats-')), 'bot.db')))],
  ['memory', () => new MemoryChatRegistry()],
];

describe.each(implementations)('chat registry (%s)', (_name, make) => {
  it('records a group once, keeping first sight, name and members while updating last sight', () => {
    const chats = make();
    chats.seen({ channel: 'wechat', id: 'r1@chatroom', kind: 'group', name: '鼓楼区企业群', members: 120 }, 1000);
    chats.seen({ channel: 'wechat', id: 'r1@chatroom', kind: 'group' }, 5000);
    expect(chats.get('wechat', 'r1@chatroom')).toMatchObject({ name: '鼓楼区企业群', members: 120, firstSeen: 1000, lastSeen: 5000, subscribed: true, tags: [] });
  });

  it('keeps tags and unsubscription across later sightings, and filters by channel, tag and id', () => {
    const chats = make();
    chats.seen({ channel: 'wechat', id: 'a', kind: 'group', name: 'A' }, 1);
    chats.seen({ channel: 'wechat', id: 'b', kind: 'group', name: 'B' }, 1);
    chats.seen({ channel: 'feishu', id: 'c', kind: 'group', name: 'C' }, 1);
    expect(chats.setTags('wechat', 'a', ['鼓楼区', '鼓楼区'])).toBe(true);
    expect(chats.setSubscribed('wechat', 'b', false)).toBe(true);
    chats.seen({ channel: 'wechat', id: 'b', kind: 'group' }, 2);
    expect(chats.get('wechat', 'b')?.subscribed).toBe(false);
    expect(chats.get('wechat', 'a')?.tags).toEqual(['鼓楼区']);
    expect(chats.list({ channel: 'wechat' }).map((c) => c.id)).toEqual(['a', 'b']);
    expect(chats.list({ tags: ['鼓楼区'] }).map((c) => c.id)).toEqual(['a']);
    expect(chats.list({ ids: ['c'] }).map((c) => c.channel)).toEqual(['feishu']);
    expect(chats.setSubscribed('wechat', 'unknown', false)).toBe(false);
  });
});
