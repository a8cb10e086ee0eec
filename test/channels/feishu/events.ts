// Feishu's event bodies as the open platform sends them (schema 2.0), built by hand, plus the
// encryption and signature a webhook request carries.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { BOT_OPEN_ID } from './fake-open-platform.js';

export const APP_ID = 'cli_a1b2c3d4e5f60718';
export const ENCRYPT_KEY = 'test-encrypt-key-0123456789';
export const VERIFICATION_TOKEN = 'test-verification-token';

let seq = 0;
const next = (prefix: string) => `${prefix}${Date.now().toString(36)}${(++seq).toString(36)}`;

function envelope(eventType: string, event: object, eventId = next('ev_')) {
  return {
    schema: '2.0',
    header: {
      event_id: eventId, event_type: eventType, token: VERIFICATION_TOKEN,
      create_time: String(Date.now()), tenant_key: 'tenant_test', app_id: APP_ID,
    },
    event,
  };
}

export interface MessageOptions {
  chatId: string;
  user: string;
  text: string;
  chatType?: 'p2p' | 'group';
  /** Who is @-mentioned, in order: the bot by BOT_OPEN_ID, others by any open_id. */
  mentions?: string[];
  messageId?: string;
  eventId?: string;
  messageType?: string;
  content?: string;
}

/** im.message.receive_v1; mentions appear in the text as @_user_N placeholders, as Feishu writes them. */
export function messageEvent(o: MessageOptions) {
  const mentions = (o.mentions ?? []).map((openId, i) => ({
    key: `@_user_${i + 1}`, name: openId === BOT_OPEN_ID ? '政策助手' : `同事${i + 1}`,
    id: { open_id: openId, union_id: `on_${i}`, user_id: `u${i}` }, tenant_key: 'tenant_test',
  }));
  const text = [...mentions.map((m) => m.key), o.text].join(' ');
  const messageId = o.messageId ?? next('om_user_');
  return {
    messageId,
    body: envelope('im.message.receive_v1', {
      sender: { sender_id: { open_id: o.user, union_id: 'on_x', user_id: 'ux' }, sender_type: 'user', tenant_key: 'tenant_test' },
      message: {
        message_id: messageId, chat_id: o.chatId, chat_type: o.chatType ?? 'p2p', create_time: String(Date.now()),
        message_type: o.messageType ?? 'text', content: o.content ?? JSON.stringify({ text }),
        ...(mentions.length ? { mentions } : {}),
      },
    }, o.eventId),
  };
}

/** card.action.trigger: someone clicked a button whose callback value is `value`. */
export function cardClickEvent(o: { operator: string; messageId: string; chatId: string; value: unknown; eventId?: string }) {
  return envelope('card.action.trigger', {
    operator: { tenant_key: 'tenant_test', open_id: o.operator, union_id: 'on_x', user_id: 'ux' },
    token: 'c-card-token',
    action: { value: o.value, tag: 'button' },
    host: 'im_message',
    context: { open_message_id: o.messageId, open_chat_id: o.chatId },
  }, o.eventId);
}

/** The bot added to a group, removed from it, or the group disbanded (im.chat.member.bot.added_v1 / deleted_v1, im.chat.disbanded_v1). */
export function membershipEvent(kind: 'added' | 'removed' | 'disbanded', chatId: string, name = '') {
  const type = { added: 'im.chat.member.bot.added_v1', removed: 'im.chat.member.bot.deleted_v1', disbanded: 'im.chat.disbanded_v1' }[kind];
  return envelope(type, {
    chat_id: chatId, name, external: false, operator_tenant_key: 'tenant_test',
    operator_id: { open_id: 'ou_group_owner', union_id: 'on_owner', user_id: 'uowner' },
  });
}

export function urlVerification(token = VERIFICATION_TOKEN) {
  return { challenge: `challenge-${next('')}`, token, type: 'url_verification' };
}

/** {"encrypt": base64(iv + AES-256-CBC(json))} with key sha256(encryptKey), as Feishu sends it. */
export function encrypt(body: object, key = ENCRYPT_KEY): { encrypt: string } {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', createHash('sha256').update(key).digest(), iv);
  return { encrypt: Buffer.concat([iv, cipher.update(JSON.stringify(body)), cipher.final()]).toString('base64') };
}

/** Feishu's signature headers over the exact bytes sent. */
export function signatureHeaders(raw: string, o: { key?: string; timestamp?: number; nonce?: string } = {}) {
  const timestamp = String(o.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = o.nonce ?? next('n');
  const signature = createHash('sha256').update(timestamp + nonce + (o.key ?? ENCRYPT_KEY) + raw).digest('hex');
  return { 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': nonce, 'x-lark-signature': signature };
}

/** A webhook request as Feishu makes it with an encrypt key: encrypted body, signed. */
export function signedRequest(body: object, o: { key?: string; timestamp?: number; sign?: boolean; badSignature?: boolean } = {}) {
  const raw = JSON.stringify(encrypt(body, o.key));
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (o.sign !== false) {
    Object.assign(headers, signatureHeaders(raw, { key: o.key, timestamp: o.timestamp }));
    if (o.badSignature) headers['x-lark-signature'] = headers['x-lark-signature'].replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
  }
  return { method: 'POST' as const, url: '/feishu/events', headers, payload: raw };
}
