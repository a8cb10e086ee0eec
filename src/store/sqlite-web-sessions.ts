import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../admin/ports.js';
import type { Db } from './database.js';

export interface WebSession {
  tokenId: number;
  name: string;
  role: Role;
  /** Every form and htmx request of this session must carry it. */
  csrf: string;
  expiresAt: number;
}

const hashOf = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');

/** Console sessions in SQLite: they survive a restart and end with their token's revocation. */
export class SqliteWebSessions {
  constructor(private readonly db: Db) {}

  /** A new session for a token; returns the cookie value (shown to nobody else, stored hashed). */
  create(tokenId: number, at: number, ttlMs: number): { id: string; csrf: string } {
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    this.db.prepare('DELETE FROM web_sessions WHERE expires_at <= ?').run(at);
    this.db.prepare('INSERT INTO web_sessions (id_hash, token_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(hashOf(id), tokenId, csrf, at, at + ttlMs);
    return { id, csrf };
  }

  /** The live session for a cookie value: unexpired, and its token not revoked. */
  find(id: string, at: number): WebSession | undefined {
    const row = this.db.prepare(`SELECT s.token_id AS tokenId, t.name, t.role, s.csrf, s.expires_at AS expiresAt
      FROM web_sessions s JOIN admin_tokens t ON t.id = s.token_id
      WHERE s.id_hash = ? AND s.expires_at > ? AND t.revoked_at IS NULL`).get(hashOf(id), at) as WebSession | undefined;
    return row;
  }

  end(id: string): void {
    this.db.prepare('DELETE FROM web_sessions WHERE id_hash = ?').run(hashOf(id));
  }
}
