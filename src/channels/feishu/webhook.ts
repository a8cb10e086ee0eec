import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Clock, Logger } from '../../core/ports.js';
import type { FeishuSettings } from './settings.js';
import { decryptBody, verifySignature } from './signature.js';

export const WEBHOOK_PATH = '/feishu/events';
/** Feishu's events are small, but a long message's text rides inside one. */
const BODY_LIMIT = 512 * 1024;

export interface WebhookDeps {
  settings: Pick<FeishuSettings, 'encryptKey' | 'verificationToken'>;
  /** The shared event dispatcher: acknowledges at once, handles later. */
  dispatch(body: object): Promise<unknown>;
  clock: Clock;
  log: Logger;
}

export interface WebhookResult {
  status: number;
  body: object;
}

type Headers = Record<string, string | string[] | undefined>;

const header = (h: Headers, name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * One webhook request, from raw bytes to the answer Feishu gets. With FEISHU_ENCRYPT_KEY every
 * event must be signed (over the raw body, within five minutes) and encrypted; the URL check is
 * the one request Feishu does not sign, and only someone holding the key can produce it.
 * With FEISHU_VERIFICATION_TOKEN the token inside the body must match as well.
 */
export async function handleWebhook(raw: Buffer, headers: Headers, deps: WebhookDeps): Promise<WebhookResult> {
  const { encryptKey, verificationToken } = deps.settings;
  const refuse = (reason: string): WebhookResult => {
    deps.log.warn({ reason }, 'feishu webhook request refused');
    return { status: 401, body: { error: 'UNAUTHORIZED', message: 'request not authenticated' } };
  };

  let outer: unknown;
  try {
    outer = JSON.parse(raw.toString('utf8'));
  } catch {
    return { status: 400, body: { error: 'INVALID_REQUEST', message: 'body is not JSON' } };
  }
  if (!outer || typeof outer !== 'object' || Array.isArray(outer)) return { status: 400, body: { error: 'INVALID_REQUEST', message: 'body is not a JSON object' } };

  let signed = false;
  if (encryptKey && header(headers, 'x-lark-signature') !== undefined) {
    const verdict = verifySignature({
      timestamp: header(headers, 'x-lark-request-timestamp'),
      nonce: header(headers, 'x-lark-request-nonce'),
      signature: header(headers, 'x-lark-signature'),
      rawBody: raw,
    }, encryptKey, deps.clock.now());
    if (verdict !== 'ok') return refuse(`signature ${verdict}`);
    signed = true;
  }

  let body = outer as Record<string, unknown>;
  if (typeof body.encrypt === 'string') {
    if (!encryptKey) return refuse('encrypted body, but FEISHU_ENCRYPT_KEY is not set');
    try {
      body = JSON.parse(decryptBody(body.encrypt, encryptKey)) as Record<string, unknown>;
    } catch {
      return refuse('body does not decrypt with FEISHU_ENCRYPT_KEY');
    }
  } else if (encryptKey && !signed) {
    return refuse('plain body while FEISHU_ENCRYPT_KEY is set');
  }

  const token = body.token ?? (body.header as { token?: unknown } | undefined)?.token;
  if (body.type === 'url_verification') {
    if (verificationToken && !sameSecret(token, verificationToken)) return refuse('url_verification with a wrong verification token');
    return { status: 200, body: { challenge: body.challenge } };
  }
  if (encryptKey && !signed) return refuse('event without x-lark-signature');
  if (verificationToken && !sameSecret(token, verificationToken)) return refuse('wrong verification token');

  const ack = await deps.dispatch(body);
  return { status: 200, body: ack && typeof ack === 'object' ? ack : {} };
}

/** POST /feishu/events on the service's app, keeping the raw bytes for the signature. */
export function webhookRoutes(deps: WebhookDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(async (scope) => {
      // Only in this plugin's scope: the rest of the API keeps fastify's JSON parsing.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));
      scope.post(WEBHOOK_PATH, { bodyLimit: BODY_LIMIT, schema: { hide: true } }, async (request, reply) => {
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const result = await handleWebhook(raw, request.headers, deps);
        return reply.code(result.status).send(result.body);
      });
    });
  };
}
