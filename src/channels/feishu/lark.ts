// The only file that touches @larksuiteoapi/node-sdk: everything else in the channel speaks in
// the small interfaces below, so no SDK type leaves this folder (and the SDK could be swapped).
import * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from '../../core/ports.js';
import type { BotAddedEvent, CardActionEvent, ChatGoneEvent, EventRoutes, MessageEvent } from './events.js';
import type { FeishuSettings } from './settings.js';

export type MsgType = 'text' | 'interactive';

/** Where a message goes: a new message in a chat, or a reply to a message (shown as a quote). */
export type Target = { chatId: string } | { replyTo: string };

/** The platform calls the channel makes. Errors are FeishuApiError. */
export interface FeishuApi {
  /** Returns the new message's id. `uuid` makes a resend within an hour a no-op on Feishu's side. */
  send(target: Target, msgType: MsgType, content: string, uuid: string): Promise<string>;
  /** Replaces a card's content (cards with update_multi, which every schema 2.0 card is). */
  patch(messageId: string, content: string): Promise<void>;
  botOpenId(): Promise<string>;
  /** owner: the group owner's open_id, when Feishu says. */
  chatInfo(chatId: string): Promise<{ name: string; members: number; owner?: string }>;
}

export class FeishuApiError extends Error {
  constructor(
    /** Feishu's business code (230020, 99991400 …); -1 when there was no answer. */
    readonly code: number,
    /** HTTP status, when there was an answer. */
    readonly status: number | undefined,
    message: string,
    /** From x-ogw-ratelimit-reset, when Feishu says when to come back. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

interface Envelope<T> {
  code?: number;
  msg?: string;
  data?: T;
}

function toApiError(e: unknown, what: string): FeishuApiError {
  if (e instanceof FeishuApiError) return e;
  const response = (e as { response?: { status?: number; data?: { code?: number; msg?: string }; headers?: Record<string, unknown> } }).response;
  if (response) {
    const code = typeof response.data?.code === 'number' ? response.data.code : -1;
    const reset = Number(response.headers?.['x-ogw-ratelimit-reset']);
    return new FeishuApiError(code, response.status, `${what}: HTTP ${response.status}, code ${code}${response.data?.msg ? ` (${response.data.msg})` : ''}`,
      Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined);
  }
  return new FeishuApiError(-1, undefined, `${what}: ${(e as Error)?.message ?? String(e)}`);
}

async function call<T>(what: string, op: () => Promise<Envelope<T> | undefined>): Promise<T | undefined> {
  let res: Envelope<T> | undefined;
  try {
    res = await op();
  } catch (e) {
    throw toApiError(e, what);
  }
  if (res?.code !== undefined && res.code !== 0) throw new FeishuApiError(res.code, 200, `${what}: code ${res.code}${res.msg ? ` (${res.msg})` : ''}`);
  return res?.data;
}

/** Keys whose values never reach a log line, wherever they sit in what the SDK logs. */
const SECRET_KEY = /secret|authorization|token|encrypt|password/i;

/** One log argument as text: an Error as its message only (an axios error's JSON carries the request). */
function logText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value, (key, v: unknown) => (key && SECRET_KEY.test(key) ? '[redacted]' : v instanceof Error ? v.message : v));
  } catch {
    return String(value);
  }
}

/**
 * The SDK's log lines, through the service's logger. The SDK's logger proxy hands over its
 * arguments as one array. Errors of single requests are debug here: the channel retries and logs
 * the outcome itself; the long connection's own troubles stay errors.
 */
function sdkLogger(log: Logger): lark.Logger {
  const flat = (args: unknown[]) => args.flatMap((a) => (Array.isArray(a) ? a : [a]));
  const text = (args: unknown[]) => flat(args).map(logText).join(' ').slice(0, 1000);
  const connection = (args: unknown[]) => ['[ws]', 'ws'].includes(String(flat(args)[0]));
  return {
    error: (...a: unknown[]) => (connection(a) ? log.error({ sdk: text(a) }, 'feishu long connection') : log.debug({ sdk: text(a) }, 'feishu sdk')),
    warn: (...a: unknown[]) => log.warn({ sdk: text(a) }, 'feishu sdk'),
    info: (...a: unknown[]) => log.debug({ sdk: text(a) }, 'feishu sdk'),
    debug: (...a: unknown[]) => log.debug({ sdk: text(a) }, 'feishu sdk'),
    trace: () => undefined,
  };
}

function sdkDomain(domain: string): lark.Domain | string {
  if (domain === 'feishu') return lark.Domain.Feishu;
  if (domain === 'lark') return lark.Domain.Lark;
  return domain;
}

export function createFeishuApi(settings: FeishuSettings, log: Logger): FeishuApi {
  const client = new lark.Client({
    appId: settings.appId,
    appSecret: settings.appSecret,
    domain: sdkDomain(settings.domain),
    // The SDK's default token cache is one per process, keyed by app id: a client of its own
    // keeps two services (or two tests) in one process from sharing tokens.
    cache: new lark.DefaultCache(),
    logger: sdkLogger(log),
    loggerLevel: lark.LoggerLevel.info,
  });

  return {
    async send(target, msgType, content, uuid) {
      const data = 'chatId' in target
        ? await call<{ message_id?: string }>('send message', () => client.im.message.create({
          params: { receive_id_type: 'chat_id' },
          data: { receive_id: target.chatId, msg_type: msgType, content, uuid },
        }))
        : await call<{ message_id?: string }>('reply to message', () => client.im.message.reply({
          path: { message_id: target.replyTo },
          data: { msg_type: msgType, content, uuid },
        }));
      return data?.message_id ?? '';
    },
    async patch(messageId, content) {
      await call('update card', () => client.im.message.patch({ path: { message_id: messageId }, data: { content } }));
    },
    async botOpenId() {
      let body: (Envelope<never> & { bot?: { open_id?: string } }) | undefined;
      await call('bot info', async () => {
        body = (await client.request({ method: 'GET', url: '/open-apis/bot/v3/info' })) as typeof body;
        return body;
      });
      const id = body?.bot?.open_id;
      if (!id) throw new FeishuApiError(-1, 200, 'bot info: the answer has no bot.open_id');
      return id;
    },
    async chatInfo(chatId) {
      const data = await call<{ name?: string; user_count?: string; owner_id?: string; owner_id_type?: string }>('chat info',
        () => client.im.chat.get({ path: { chat_id: chatId }, params: { user_id_type: 'open_id' } }));
      const owner = data?.owner_id && (data.owner_id_type ?? 'open_id') === 'open_id' ? data.owner_id : undefined;
      return { name: data?.name ?? '', members: Number(data?.user_count ?? 0) || 0, ...(owner ? { owner } : {}) };
    },
  };
}

/** The dispatcher both modes share: webhook requests (after the route's checks) and the long connection. */
export interface FeishuDispatcher {
  /** Hands one event body (plain JSON, already authenticated) to the routes; resolves to the ack. */
  dispatch(body: object): Promise<unknown>;
  /** The long connection: no public URL, authenticated once when connecting. */
  longConnection(settings: FeishuSettings, events?: LongConnectionEvents): LongConnection;
}

/** What the SDK tells about its connection (it reconnects by itself until it gives up). */
export interface LongConnectionEvents {
  ready(): void;
  lost(): void;
  restored(): void;
  gaveUp(reason: string): void;
}

export interface LongConnection {
  start(): Promise<void>;
  stop(): void;
}

export function createFeishuDispatcher(routes: EventRoutes, log: Logger): FeishuDispatcher {
  // No keys here: the webhook route checks signature and token itself (over the raw body), and
  // the long connection is authenticated when it connects.
  const dispatcher = new lark.EventDispatcher({ logger: sdkLogger(log), loggerLevel: lark.LoggerLevel.info }).register({
    'im.message.receive_v1': (data) => routes.message(data as unknown as MessageEvent),
    'im.chat.member.bot.added_v1': (data) => routes.botAdded(data as unknown as BotAddedEvent),
    'im.chat.member.bot.deleted_v1': (data) => routes.botRemoved(data as unknown as ChatGoneEvent),
    'im.chat.disbanded_v1': (data) => routes.chatDisbanded(data as unknown as ChatGoneEvent),
    // Card clicks arrive as this event on the same dispatcher (webhook or long connection);
    // the SDK's typings do not list it, so it is registered under its name.
    'card.action.trigger': (data: unknown) => routes.cardAction(data as CardActionEvent),
  });

  return {
    // needCheck: false, as the long connection calls it: the SDK's own check would hash a
    // re-serialised body, and it never checks the verification token or the timestamp.
    dispatch: (body) => dispatcher.invoke(body, { needCheck: false }),
    longConnection(settings, events) {
      let ws: lark.WSClient | undefined;
      return {
        async start() {
          ws = new lark.WSClient({
            appId: settings.appId,
            appSecret: settings.appSecret,
            domain: sdkDomain(settings.domain),
            autoReconnect: true,
            logger: sdkLogger(log),
            loggerLevel: lark.LoggerLevel.info,
            onReady: () => {
              log.info('feishu long connection ready');
              events?.ready();
            },
            onReconnecting: () => {
              log.warn('feishu long connection lost; reconnecting');
              events?.lost();
            },
            onReconnected: () => {
              log.info('feishu long connection restored');
              events?.restored();
            },
            onError: (e: Error) => {
              log.error({ err: e.message }, 'feishu long connection gave up');
              events?.gaveUp(e.message);
            },
          });
          await ws.start({ eventDispatcher: dispatcher });
        },
        stop() {
          ws?.close({ force: true });
          ws = undefined;
        },
      };
    },
  };
}
