import type { ChatFilter, ChatRecord, ChatRegistry, ChatSighting, LeaveReason } from '../core/ports.js';
import { matchesFilter } from './chat-filter.js';
import type { Db } from './database.js';

interface ChatRow {
  channel: string;
  id: string;
  kind: 'group' | 'p2p';
  name: string;
  members: number;
  first_seen: number;
  last_seen: number;
  tags: string;
  subscribed: number;
  left_at: number | null;
  left_reason: LeaveReason | null;
}

function toRecord(r: ChatRow): ChatRecord {
  return {
    channel: r.channel, id: r.id, kind: r.kind, name: r.name, members: r.members,
    firstSeen: r.first_seen, lastSeen: r.last_seen, tags: JSON.parse(r.tags) as string[], subscribed: r.subscribed === 1,
    ...(r.left_at !== null ? { left: { at: r.left_at, reason: r.left_reason ?? 'removed' } } : {}),
  };
}

export class SqliteChatRegistry implements ChatRegistry {
  private readonly upsert;
  private readonly leftStmt;
  private readonly subscribeStmt;
  private readonly tagsStmt;
  private readonly getStmt;
  private readonly allStmt;
  constructor(db: Db) {
    this.upsert = db.prepare(`INSERT INTO chats (channel, id, kind, name, members, first_seen, last_seen)
      VALUES (@channel, @id, @kind, @name, @members, @at, @at)
      ON CONFLICT(channel, id) DO UPDATE SET
        kind = excluded.kind,
        name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE chats.name END,
        members = CASE WHEN excluded.members > 0 THEN excluded.members ELSE chats.members END,
        last_seen = MAX(chats.last_seen, excluded.last_seen),
        left_at = CASE WHEN chats.left_at IS NOT NULL AND excluded.last_seen >= chats.left_at THEN NULL ELSE chats.left_at END,
        left_reason = CASE WHEN chats.left_at IS NOT NULL AND excluded.last_seen >= chats.left_at THEN NULL ELSE chats.left_reason END`);
    this.leftStmt = db.prepare('UPDATE chats SET left_at = ?, left_reason = ? WHERE channel = ? AND id = ?');
    this.subscribeStmt = db.prepare('UPDATE chats SET subscribed = ? WHERE channel = ? AND id = ?');
    this.tagsStmt = db.prepare('UPDATE chats SET tags = ? WHERE channel = ? AND id = ?');
    this.getStmt = db.prepare('SELECT * FROM chats WHERE channel = ? AND id = ?');
    this.allStmt = db.prepare('SELECT * FROM chats ORDER BY channel, first_seen');
  }
  seen(chat: ChatSighting, at: number): void {
    this.upsert.run({ channel: chat.channel, id: chat.id, kind: chat.kind, name: chat.name ?? '', members: chat.members ?? 0, at });
  }
  markLeft(channel: string, id: string, at: number, reason: LeaveReason): boolean {
    return this.leftStmt.run(at, reason, channel, id).changes === 1;
  }
  setSubscribed(channel: string, id: string, subscribed: boolean): boolean {
    return this.subscribeStmt.run(subscribed ? 1 : 0, channel, id).changes === 1;
  }
  setTags(channel: string, id: string, tags: string[]): boolean {
    return this.tagsStmt.run(JSON.stringify([...new Set(tags)]), channel, id).changes === 1;
  }
  get(channel: string, id: string): ChatRecord | undefined {
    const row = this.getStmt.get(channel, id) as ChatRow | undefined;
    return row && toRecord(row);
  }
  list(filter?: ChatFilter): ChatRecord[] {
    return (this.allStmt.all() as ChatRow[]).map(toRecord).filter((c) => matchesFilter(c, filter));
  }
}
