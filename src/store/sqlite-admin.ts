import type { AdminTokenStore, AuditEntry, AuditLog, Role, TokenRecord, UserRoles } from '../admin/ports.js';
import type { Db } from './database.js';

interface TokenRow {
  id: number;
  name: string;
  role: Role;
  created_at: number;
  revoked_at: number | null;
}

const toToken = (r: TokenRow): TokenRecord => ({ id: r.id, name: r.name, role: r.role, createdAt: r.created_at, revokedAt: r.revoked_at });

export class SqliteAdminTokens implements AdminTokenStore {
  constructor(private readonly db: Db) {}
  create(name: string, role: Role, tokenHash: string, at: number): TokenRecord {
    const info = this.db.prepare('INSERT INTO admin_tokens (name, role, token_hash, created_at) VALUES (?, ?, ?, ?)').run(name, role, tokenHash, at);
    return { id: Number(info.lastInsertRowid), name, role, createdAt: at, revokedAt: null };
  }
  findByHash(tokenHash: string): TokenRecord | undefined {
    const row = this.db.prepare('SELECT * FROM admin_tokens WHERE token_hash = ? AND revoked_at IS NULL').get(tokenHash) as TokenRow | undefined;
    return row && toToken(row);
  }
  list(): TokenRecord[] {
    return (this.db.prepare('SELECT * FROM admin_tokens ORDER BY id').all() as TokenRow[]).map(toToken);
  }
  revoke(id: number, at: number): boolean {
    return this.db.prepare('UPDATE admin_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id).changes === 1;
  }
}

export class SqliteAuditLog implements AuditLog {
  constructor(private readonly db: Db) {}
  record(e: AuditEntry): void {
    this.db.prepare('INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, ?, ?)').run(e.at, e.actor, e.action, JSON.stringify(e.detail));
  }
  recent(limit: number): AuditEntry[] {
    const rows = this.db.prepare('SELECT at, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT ?').all(limit) as { at: number; actor: string; action: string; detail: string }[];
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }
}

export class SqliteUserRoles implements UserRoles {
  constructor(private readonly db: Db) {}
  roleOf(channel: string, userId: string): Role | undefined {
    return this.db.prepare('SELECT role FROM user_roles WHERE channel = ? AND user_id = ?').pluck().get(channel, userId) as Role | undefined;
  }
  set(channel: string, userId: string, role: Role, name = ''): void {
    this.db.prepare('INSERT INTO user_roles (channel, user_id, role, name) VALUES (?, ?, ?, ?) ON CONFLICT(channel, user_id) DO UPDATE SET role = excluded.role, name = excluded.name').run(channel, userId, role, name);
  }
  remove(channel: string, userId: string): boolean {
    return this.db.prepare('DELETE FROM user_roles WHERE channel = ? AND user_id = ?').run(channel, userId).changes === 1;
  }
}
