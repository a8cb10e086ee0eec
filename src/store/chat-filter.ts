import type { ChatFilter, ChatRecord } from '../core/ports.js';

/** Keeps only the chats a filter asks for; shared with the in-memory fake so both agree. */
export function matchesFilter(c: ChatRecord, f: ChatFilter = {}): boolean {
  if (f.channel && c.channel !== f.channel) return false;
  if (f.kind && c.kind !== f.kind) return false;
  if (f.ids?.length && !f.ids.includes(c.id)) return false;
  if (f.tags?.length && !f.tags.some((t) => c.tags.includes(t))) return false;
  return true;
}
