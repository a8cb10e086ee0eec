import type { ChatFilter, ChatRecord, ChatRegistry, ChatSighting } from '../core/ports.js';
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
}

function toRecord(r: ChatRow): ChatRecord {
  return {
    channel: r.channel, id: r.id, kind: r.kind, name: r.name, members: r.members,
    firstSeen: r.first_seen, lastSeen: r.last_seen, tags: JSON.parse(r.tags) as string[], subscribed: r.subscribed === 1,
  };
}

export class SqliteChatRegistry implements ChatRegistry {
  private readonly upsert;
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
        last_seen = MAX(chats.last_seen, excluded.last_seen)`);
    this.subscribeStmt = db.prepare('UPDATE chats SET subscribed = ? WHERE channel = ? AND id = ?');
    this.tagsStmt = db.prepare('UPDATE chats SET tags = ? WHERE channel = ? AND id = ?');
    this.getStmt = db.prepare('SELECT * FROM chats WHERE channel = ? AND id = ?');
    this.allStmt = db.prepare('SELECT * FROM chats ORDER BY channel, first_seen');
  }
  seen(chat: ChatSighting, at: number): void {
    this.upsert.run({ channel: chat.channel, id: chat.id, kind: chat.kind, name: chat.name ?? '', members: chat.members ?? 0, at });
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
