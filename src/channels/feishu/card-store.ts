import type { Db } from '../../store/database.js';

/**
 * Which eligibility card of a conversation is live, and at which version. Owned by this channel
 * (the table is migration 004-feishu-cards.sql): nothing outside Feishu has cards.
 */
export interface CardStore {
  /** A new card for the conversation, at version 1; the conversation's older cards go stale. */
  register(messageId: string, conversation: string, at: number): void;
  /**
   * Takes a click drawn at `version`: true (and the card moves to version + 1) when that is the
   * card's current version; false for a stale, unknown or already-taken click.
   */
  claim(messageId: string, version: number, at: number): boolean;
  /** Forgets cards not touched since `before` (Feishu stops delivering clicks after 14 days). */
  prune(before: number): void;
}

export class SqliteCardStore implements CardStore {
  private readonly dropOthers;
  private readonly insert;
  private readonly claimStmt;
  private readonly pruneStmt;

  constructor(private readonly db: Db) {
    this.dropOthers = db.prepare('DELETE FROM feishu_cards WHERE conversation = ?');
    this.insert = db.prepare('INSERT OR REPLACE INTO feishu_cards (message_id, conversation, version, updated_at) VALUES (?, ?, 1, ?)');
    this.claimStmt = db.prepare('UPDATE feishu_cards SET version = version + 1, updated_at = ? WHERE message_id = ? AND version = ?');
    this.pruneStmt = db.prepare('DELETE FROM feishu_cards WHERE updated_at < ?');
  }

  register(messageId: string, conversation: string, at: number): void {
    this.db.transaction(() => {
      this.dropOthers.run(conversation);
      this.insert.run(messageId, conversation, at);
    })();
  }

  claim(messageId: string, version: number, at: number): boolean {
    return this.claimStmt.run(at, messageId, version).changes === 1;
  }

  prune(before: number): void {
    this.pruneStmt.run(before);
  }
}
