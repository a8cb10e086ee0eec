import type { ChatRecord, ChatRegistry } from '../core/ports.js';
import type { Targets } from './ports.js';

export interface Skipped {
  channel: string;
  chat: string;
  name: string;
  reason: 'unsubscribed' | 'inactive' | 'unknown';
}

export interface Audience {
  chats: ChatRecord[];
  skipped: Skipped[];
}

/**
 * The chats a broadcast reaches. Named chats may be any kind; otherwise groups only, filtered by
 * tag. Unsubscribed chats and chats the bot is no longer in are never sent to, and are reported.
 */
export function selectAudience(registry: ChatRegistry, targets: Targets): Audience {
  const channel = targets.channel === 'all' ? undefined : targets.channel;
  const named = targets.chats?.length ? targets.chats : undefined;
  const found = registry.list({ channel, ids: named, tags: targets.tags, kind: named ? undefined : 'group' });
  const skipped: Skipped[] = found.filter((c) => c.left || !c.subscribed)
    .map((c) => ({ channel: c.channel, chat: c.id, name: c.name, reason: c.left ? 'inactive' : 'unsubscribed' }));
  for (const id of named ?? []) {
    if (!found.some((c) => c.id === id)) skipped.push({ channel: targets.channel, chat: id, name: '', reason: 'unknown' });
  }
  return { chats: found.filter((c) => c.subscribed && !c.left), skipped };
}
