import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Html } from './html.js';

/** Cookies of a request (one small parser: the pages set three cookies and read them). */
export function cookiesOf(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    try {
      out[name] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // A malformed cookie is ignored, as browsers would.
    }
  }
  return out;
}

export interface CookieOptions {
  path: string;
  maxAgeSeconds?: number;
  sameSite: 'Strict' | 'Lax';
}

/** An httpOnly cookie; Secure when the request came over HTTPS (directly or via the proxy's header). */
export function setCookie(request: FastifyRequest, reply: FastifyReply, name: string, value: string, o: CookieOptions): void {
  const secure = request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https';
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${o.path}`, 'HttpOnly', `SameSite=${o.sameSite}`];
  if (o.maxAgeSeconds !== undefined) parts.push(`Max-Age=${o.maxAgeSeconds}`);
  if (secure) parts.push('Secure');
  const previous = reply.getHeader('set-cookie');
  const list = previous === undefined ? [] : Array.isArray(previous) ? previous.map(String) : [String(previous)];
  reply.header('set-cookie', [...list, parts.join('; ')]);
}

/** A form body (application/x-www-form-urlencoded): each name's last value, or all values for lists. */
export type FormBody = Record<string, string | string[]>;

export function parseForm(body: string): FormBody {
  const out: FormBody = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export function field(form: FormBody | undefined, name: string): string {
  const v = form?.[name];
  return (Array.isArray(v) ? v.at(-1) : v) ?? '';
}

export function fields(form: FormBody | undefined, name: string): string[] {
  const v = form?.[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The CSRF token a request carries: htmx sends it as a header, a plain form as a field. */
export function csrfOf(request: FastifyRequest): string {
  const header = request.headers['x-csrf-token'];
  return (typeof header === 'string' && header) || field(request.body as FormBody | undefined, '_csrf');
}

/** Tokens bound to a cookie value with a key only this process knows (visitors' forms, the sign-in form). */
export class CookieBoundTokens {
  private readonly key = randomBytes(32);
  newId(): string {
    return randomBytes(18).toString('base64url');
  }
  tokenFor(id: string): string {
    return createHmac('sha256', this.key).update(id).digest('base64url');
  }
  valid(id: string | undefined, token: string): boolean {
    return !!id && !!token && sameSecret(this.tokenFor(id), token);
  }
}

export function sendHtml(reply: FastifyReply, body: Html, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body.value);
}

/** htmx asked for a fragment (it sends HX-Request: true). */
export function isHtmx(request: FastifyRequest): boolean {
  return request.headers['hx-request'] === 'true';
}

/** Query parameters as single strings (a repeated name keeps its last value), so no handler meets an array. */
export function queryOf(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    out[k] = String(Array.isArray(v) ? v.at(-1) : v);
  }
  return out;
}
