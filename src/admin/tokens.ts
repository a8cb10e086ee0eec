import { createHash, randomBytes } from 'node:crypto';
import type { AdminTokenStore, Role, TokenRecord } from './ports.js';

/** Only this hash is stored: a leaked database does not leak usable tokens. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newToken(): string {
  return 'pb_' + randomBytes(24).toString('base64url');
}

/** Creates a token and returns it in clear once; the store keeps its hash. */
export function issueToken(store: AdminTokenStore, name: string, role: Role, at: number): { token: string; record: TokenRecord } {
  const token = newToken();
  return { token, record: store.create(name, role, hashToken(token), at) };
}

/** The bearer token of an Authorization header, or undefined. */
export function bearerOf(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1];
}

/** A first deployment's token from ADMIN_TOKEN, created once (as admin) if not already known. */
export function seedToken(store: AdminTokenStore, token: string | undefined, at: number): TokenRecord | undefined {
  if (!token) return undefined;
  const hash = hashToken(token);
  return store.findByHash(hash) ?? store.create('ADMIN_TOKEN (seed)', 'admin', hash, at);
}
