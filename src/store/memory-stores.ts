import { parseStoredState } from './stored-state.js';
import type {
  ChatFilter, ChatRecord, ChatRegistry, ChatSighting, LeaveReason, DialogStateStore, ProcessedEvents, QuestionLog, QuestionLogEntry,
} from '../core/ports.js';
import { matchesFilter } from './chat-filter.js';

/** In-memory fakes of the ports, for unit tests of the layers above the store. */
export class MemoryDialogStateStore<S> implements DialogStateStore<S> {
  readonly states = new Map<string, string>();
  get(key: string): S | undefined {
    return parseStoredState<S>(this.states.get(key));
  }
  put(key: string, state: S): void {
    this.states.set(key, JSON.stringify(state));
  }
  delete(key: string): void {
    this.states.delete(key);
  }
}

export class MemoryQuestionLog implements QuestionLog {
  readonly entries: QuestionLogEntry[] = [];
  record(entry: QuestionLogEntry): void {
    this.entries.push(entry);
  }
}

export class MemoryProcessedEvents implements ProcessedEvents {
  readonly seen = new Map<string, number>();
  markIfNew(id: string, at: number): boolean {
    if (this.seen.has(id)) return false;
    this.seen.set(id, at);
    return true;
  }
  prune(before: number): void {
    for (const [id, at] of this.seen) if (at < before) this.seen.delete(id);
  }
}

export class MemoryChatRegistry implements ChatRegistry {
  readonly chats = new Map<string, ChatRecord>();
  private key(channel: string, id: string) {
    return `${channel}\u241f${id}`;
  }
  seen(chat: ChatSighting, at: number): void {
    const old = this.chats.get(this.key(chat.channel, chat.id));
    this.chats.set(this.key(chat.channel, chat.id), {
      channel: chat.channel, id: chat.id, kind: chat.kind,
      name: chat.name || old?.name || '', members: chat.members || old?.members || 0,
      firstSeen: old?.firstSeen ?? at, lastSeen: Math.max(old?.lastSeen ?? at, at),
      tags: old?.tags ?? [], subscribed: old?.subscribed ?? true,
      ...(old?.left && old.left.at > at ? { left: old.left } : {}),
    });
  }
  markLeft(channel: string, id: string, at: number, reason: LeaveReason): boolean {
    const c = this.chats.get(this.key(channel, id));
    if (c) c.left = { at, reason };
    return !!c;
  }
  setSubscribed(channel: string, id: string, subscribed: boolean): boolean {
    const c = this.chats.get(this.key(channel, id));
    if (c) c.subscribed = subscribed;
    return !!c;
  }
  setTags(channel: string, id: string, tags: string[]): boolean {
    const c = this.chats.get(this.key(channel, id));
    if (c) c.tags = [...new Set(tags)];
    return !!c;
  }
  get(channel: string, id: string): ChatRecord | undefined {
    return this.chats.get(this.key(channel, id));
  }
  list(filter?: ChatFilter): ChatRecord[] {
    return [...this.chats.values()].filter((c) => matchesFilter(c, filter));
  }
}
