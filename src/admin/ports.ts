/** Roles: an official may push broadcasts; an admin may also manage tokens and roles. */
export const ROLES = ['official', 'admin', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
export const BROADCAST_ROLES: readonly Role[] = ['official', 'admin'];

export interface TokenRecord {
  id: number;
  name: string;
  role: Role;
  createdAt: number;
  revokedAt: number | null;
}

export interface AdminTokenStore {
  create(name: string, role: Role, tokenHash: string, at: number): TokenRecord;
  /** Active tokens only. */
  findByHash(tokenHash: string): TokenRecord | undefined;
  list(): TokenRecord[];
  revoke(id: number, at: number): boolean;
}

export interface AuditEntry {
  at: number;
  actor: string;
  action: string;
  detail: Record<string, unknown>;
}

export interface AuditLog {
  record(entry: AuditEntry): void;
  recent(limit: number): AuditEntry[];
}

/** Roles of messaging-platform users (Feishu officials). */
export interface UserRoles {
  roleOf(channel: string, userId: string): Role | undefined;
  set(channel: string, userId: string, role: Role, name?: string): void;
  remove(channel: string, userId: string): boolean;
}
