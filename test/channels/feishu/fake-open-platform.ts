// A fake Feishu open platform on 127.0.0.1 for the real SDK to talk to: tenant token, send,
// reply, card update, bot info and chat info. It records what it accepted, dedupes sends by
// uuid like Feishu does, and can be told to refuse the next few calls ("too frequent").
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

export const BOT_OPEN_ID = 'ou_fakebot0000000000000000000000';

export interface ReceivedMessage {
  kind: 'create' | 'reply' | 'patch';
  /** The message created (create, reply) or updated (patch). */
  messageId: string;
  /** The chat it went to, when known (create; reply/patch to a message the fake knows). */
  chatId?: string;
  replyTo?: string;
  msgType: string;
  uuid?: string;
  /** Parsed content: {text} for text, the card JSON for interactive. */
  content: Record<string, unknown>;
  /** When the request reached the fake (Date.now()): rates are measured here, where Feishu would. */
  at: number;
}

export interface Refusal {
  status: number;
  code: number;
  msg?: string;
  /** Seconds until the window opens again, sent as x-ogw-ratelimit-reset as Feishu does. */
  reset?: number;
}

export class FakeOpenPlatform {
  readonly messages: ReceivedMessage[] = [];
  /** Every call to a message endpoint, refused or not. */
  readonly attempts: { path: string; status: number; at: number }[] = [];
  tokenRequests = 0;
  /** Sends that repeated a uuid already seen (Feishu would drop them silently). */
  deduped = 0;
  readonly chats = new Map<string, { name: string; members: number; owner?: string }>();
  private readonly refusals: Refusal[] = [];
  private tokenRefusals = 0;
  private readonly chatOf = new Map<string, string>();
  private readonly byUuid = new Map<string, string>();
  private seq = 0;
  private app: FastifyInstance | undefined;
  url = '';
  /** The long connection's WebSocket endpoint takes new connections while true (false: an outage). */
  longConnectionUp = true;
  /** Long connections accepted so far. */
  longConnections = 0;
  private readonly sockets = new Set<Duplex>();

  /** The tenant token this platform issues (two fakes with different tokens show whether clients share a cache). */
  constructor(private readonly token = 't-fake-tenant-token') {}

  /** The next `times` token requests fail with HTTP 500. */
  refuseTokens(times: number): void {
    this.tokenRefusals += times;
  }

  /** The next `times` message calls are refused with this answer. */
  refuseNext(times: number, refusal: Refusal): void {
    for (let i = 0; i < times; i++) this.refusals.push(refusal);
  }

  /** Tells the fake which chat a message (a user's question in a test event) belongs to. */
  knowMessage(messageId: string, chatId: string): void {
    this.chatOf.set(messageId, chatId);
  }

  inChat(chatId: string): ReceivedMessage[] {
    return this.messages.filter((m) => m.chatId === chatId);
  }

  /** Polls until `pick` returns something (a bounded wait, not a timed assertion). */
  async waitFor<T>(pick: () => T | undefined | false, what = 'the fake platform to receive a message', timeoutMs = 20_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = pick();
      if (found) return found;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}; received: ${JSON.stringify(this.messages.map((m) => [m.kind, m.chatId, m.msgType]))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async start(): Promise<string> {
    const app = Fastify({ logger: false });
    app.post('/open-apis/auth/v3/tenant_access_token/internal', async (req, reply) => {
      this.tokenRequests++;
      if (this.tokenRefusals > 0) {
        this.tokenRefusals--;
        return reply.code(500).send({ code: 99991000, msg: 'internal error' });
      }
      const body = req.body as { app_id?: string; app_secret?: string };
      if (!body?.app_id || !body.app_secret) return { code: 10003, msg: 'invalid param' };
      return { code: 0, msg: 'ok', tenant_access_token: this.token, expire: 7200 };
    });
    app.get('/open-apis/bot/v3/info', async (req, reply) => {
      if (!this.authorized(req)) return this.unauthorized(reply);
      return { code: 0, msg: 'ok', bot: { open_id: BOT_OPEN_ID, app_name: '政策助手', activate_status: 2 } };
    });
    app.get('/open-apis/im/v1/chats/:chat_id', async (req, reply) => {
      if (!this.authorized(req)) return this.unauthorized(reply);
      const chat = this.chats.get((req.params as { chat_id: string }).chat_id);
      if (!chat) return reply.code(400).send({ code: 232011, msg: 'chat not found' });
      return { code: 0, msg: 'ok', data: { name: chat.name, user_count: String(chat.members), chat_mode: 'group', ...(chat.owner ? { owner_id: chat.owner, owner_id_type: 'open_id' } : {}) } };
    });
    app.post('/open-apis/im/v1/messages', async (req, reply) => {
      const query = req.query as { receive_id_type?: string };
      const body = req.body as { receive_id: string; msg_type: string; content: string; uuid?: string };
      if (query.receive_id_type !== 'chat_id') return reply.code(400).send({ code: 230001, msg: 'receive_id_type must be chat_id here' });
      return this.accept(req, reply, { kind: 'create', chatId: body.receive_id, msgType: body.msg_type, content: body.content, uuid: body.uuid });
    });
    app.post('/open-apis/im/v1/messages/:message_id/reply', async (req, reply) => {
      const replyTo = (req.params as { message_id: string }).message_id;
      const body = req.body as { msg_type: string; content: string; uuid?: string };
      return this.accept(req, reply, { kind: 'reply', replyTo, chatId: this.chatOf.get(replyTo), msgType: body.msg_type, content: body.content, uuid: body.uuid });
    });
    app.patch('/open-apis/im/v1/messages/:message_id', async (req, reply) => {
      const messageId = (req.params as { message_id: string }).message_id;
      const body = req.body as { content: string };
      return this.accept(req, reply, { kind: 'patch', messageId, chatId: this.chatOf.get(messageId), msgType: 'interactive', content: body.content });
    });
    // The long connection (FEISHU_MODE=ws): the SDK asks for a WebSocket address, then opens it.
    // The socket only has to open: no event is pushed through it here (tests dispatch directly).
    app.post('/callback/ws/endpoint', async (req) => {
      const body = req.body as { AppID?: string; AppSecret?: string };
      if (!body?.AppID || !body.AppSecret) return { code: 1000040343, msg: 'app credentials missing' };
      return {
        code: 0, msg: 'ok',
        data: {
          URL: `${this.url.replace(/^http/, 'ws')}/ws?device_id=fake-device&service_id=1`,
          ClientConfig: { PingInterval: 3600, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 },
        },
      };
    });
    app.server.on('upgrade', (req, socket: Duplex) => {
      const key = req.headers['sec-websocket-key'];
      if (!this.longConnectionUp || typeof key !== 'string') {
        socket.destroy();
        return;
      }
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      socket.on('data', () => undefined);
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
      this.sockets.add(socket);
      this.longConnections++;
    });
    this.url = await app.listen({ port: 0, host: '127.0.0.1' });
    this.app = app;
    return this.url;
  }

  /** The platform drops every open long connection (clients see the socket close). */
  dropLongConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.dropLongConnections();
    await this.app?.close();
  }

  private authorized(req: FastifyRequest): boolean {
    return req.headers.authorization === `Bearer ${this.token}`;
  }

  private unauthorized(reply: FastifyReply) {
    return reply.code(400).send({ code: 99991663, msg: 'invalid tenant access token' });
  }

  private accept(req: FastifyRequest, reply: FastifyReply, m: { kind: ReceivedMessage['kind']; messageId?: string; chatId?: string; replyTo?: string; msgType: string; content: string; uuid?: string }) {
    const path = req.url.split('?')[0];
    const at = Date.now();
    if (!this.authorized(req)) {
      this.attempts.push({ path, status: 400, at });
      return this.unauthorized(reply);
    }
    const refusal = this.refusals.shift();
    if (refusal) {
      this.attempts.push({ path, status: refusal.status, at });
      if (refusal.reset !== undefined) void reply.header('x-ogw-ratelimit-reset', String(refusal.reset));
      return reply.code(refusal.status).send({ code: refusal.code, msg: refusal.msg ?? 'refused by the fake' });
    }
    this.attempts.push({ path, status: 200, at });
    // Feishu: the same uuid within an hour sends nothing new and answers with the first message.
    const seen = m.uuid ? this.byUuid.get(m.uuid) : undefined;
    if (seen) {
      this.deduped++;
      return { code: 0, msg: 'ok', data: { message_id: seen } };
    }
    const messageId = m.messageId ?? `om_fake_${++this.seq}`;
    if (m.uuid) this.byUuid.set(m.uuid, messageId);
    if (m.chatId) this.chatOf.set(messageId, m.chatId);
    this.messages.push({
      kind: m.kind, messageId, chatId: m.chatId, replyTo: m.replyTo, msgType: m.msgType, uuid: m.uuid,
      content: JSON.parse(m.content) as Record<string, unknown>, at,
    });
    return { code: 0, msg: 'ok', data: { message_id: messageId, chat_id: m.chatId, msg_type: m.msgType } };
  }
}

/** What a person sees of a message: its text, or a card's title, body and button labels. */
export function visible(m: ReceivedMessage): { text: string; title?: string; buttons: string[] } {
  if (m.msgType === 'text') return { text: String(m.content.text), buttons: [] };
  const card = m.content as { header?: { title?: { content?: string } }; body?: { elements?: CardElement[] } };
  const elements = card.body?.elements ?? [];
  const decode = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  return {
    title: card.header?.title?.content,
    text: elements.filter((e) => e.tag === 'markdown').map((e) => decode(e.content ?? '')).join('\n'),
    buttons: buttonsOf(m).map((b) => b.label),
  };
}

interface CardElement {
  tag: string;
  content?: string;
  columns?: { elements?: CardElement[] }[];
  text?: { content?: string };
  behaviors?: { type: string; value: unknown }[];
}

/** The buttons of a card with the value each click sends back. */
export function buttonsOf(m: ReceivedMessage): { label: string; value: unknown }[] {
  const out: { label: string; value: unknown }[] = [];
  const walk = (els: CardElement[] = []) => {
    for (const e of els) {
      if (e.tag === 'button') out.push({ label: e.text?.content ?? '', value: e.behaviors?.find((b) => b.type === 'callback')?.value });
      for (const c of e.columns ?? []) walk(c.elements);
    }
  };
  walk((m.content as { body?: { elements?: CardElement[] } }).body?.elements);
  return out;
}
