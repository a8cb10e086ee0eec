import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { PolicyDocument } from '../../../policy/index.js';
import type { ChatRegistry, Clock, Logger, ProcessedEvents } from '../../core/ports.js';
import { conversationKey, type Turn } from '../../core/turn.js';
import type { DialogEngine } from '../../dialog/engine.js';
import type { Replies } from '../../dialog/replies.js';
import type { BroadcastCommands } from '../../broadcast/commands.js';
import { changeSubscription, subscriptionCommand } from '../../broadcast/subscription.js';
import type { StaffCommands } from '../../staff/staff-commands.js';
import type { CardStore } from './card-store.js';
import type { FeishuMessage } from './cards.js';
import type { BotAddedEvent, CardActionEvent, ChatGoneEvent, ClickValue, EventAck, EventRoutes, MessageEvent } from './events.js';
import type { FeishuApi } from './lark.js';
import { renderAnswer } from './render.js';
import type { FeishuSender } from './sender.js';

export const CHANNEL = 'feishu';
/** The same bound as the HTTP API's questions. */
export const MAX_TEXT = 1000;

export interface HandlerDeps {
  engine: DialogEngine;
  doc: PolicyDocument;
  replies: Replies;
  chats: ChatRegistry;
  events: ProcessedEvents;
  clock: Clock;
  log: Logger;
  sender: FeishuSender;
  /** botOpenId should be memoised by the caller (it is asked for every group message). */
  api: Pick<FeishuApi, 'botOpenId' | 'chatInfo'>;
  cards: CardStore;
  staff: StaffCommands;
  /** open_ids allowed to use the staff commands. */
  staffIds: ReadonlySet<string>;
  /** "/广播" for officials; absent when the service has no broadcaster. */
  broadcasts?: BroadcastCommands;
}

/** The event routes both modes share, plus a way to wait for the work they started. */
export interface FeishuHandler extends EventRoutes {
  /** Resolves when every event acknowledged so far has been handled (stop, tests). */
  drain(): Promise<void>;
}

const ClickSchema = z.object({
  t: z.string().max(200),
  o: z.string().min(1).optional(),
  v: z.number().int().min(1).optional(),
  b: z.unknown().optional(),
}).refine((c) => c.t.length > 0 || c.b !== undefined);

const DISCARD = 'discard';
/** Preview cards are one per official, apart from their eligibility cards. */
const previewKey = (user: string) => `${CHANNEL}:broadcast-preview:${user}`;

const PLACEHOLDER = /@_user_\d+|@_all/g;

/** The words of a text or rich-text (post) message, mention placeholders removed; undefined for other kinds. */
export function messageText(message: NonNullable<MessageEvent['message']>): string | undefined {
  let content: unknown;
  try {
    content = JSON.parse(message.content ?? '');
  } catch {
    return undefined;
  }
  const c = content as Record<string, unknown>;
  let text: string | undefined;
  if (message.message_type === 'text' && typeof c.text === 'string') {
    text = c.text;
  } else if (message.message_type === 'post') {
    // Received posts are {title, content: [[{tag, text}]]}; sent ones nest that under a locale.
    const post = (Array.isArray(c.content) ? c : Object.values(c).find((v) => v && typeof v === 'object')) as
      { title?: string; content?: { tag?: string; text?: string }[][] } | undefined;
    if (!post?.content) return undefined;
    const lines = post.content.map((line) => line.filter((el) => el.tag === 'text' || el.tag === 'a').map((el) => el.text ?? '').join(''));
    text = [post.title ?? '', ...lines].filter(Boolean).join('\n');
  }
  return text?.replace(PLACEHOLDER, ' ').replace(/[ \t\u3000]+/g, ' ').trim();
}

/** An idempotency key Feishu accepts (≤ 50 characters), the same for every delivery of one event. */
export function uuidFor(...parts: string[]): string {
  return createHash('sha256').update(['feishu', ...parts].join('\u241f')).digest('hex').slice(0, 40);
}

export function createFeishuHandler(deps: HandlerDeps): FeishuHandler {
  const { engine, doc, replies, chats, events, clock, log, sender, cards, staff } = deps;
  const inFlight = new Set<Promise<void>>();
  const enriching = new Set<string>();
  /**
   * Each person's private chat with the bot (open_id → chat id), learned from their private
   * messages, so a check begun in a group can be offered there. Kept in memory: after a restart
   * the offer waits until the person writes privately again.
   */
  const privateChats = new Map<string, string>();

  const text = (t: string): FeishuMessage => ({ kind: 'text', text: t });
  const toast = (content: string): EventAck => ({ toast: { type: 'info', content } });

  /** Work after the acknowledgement: Feishu re-pushes anything not acknowledged within 3 s. */
  function track(work: Promise<void>, what: string): void {
    const p = work.catch((e: Error) => log.error({ err: e.message, what }, 'feishu event handling failed'));
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }

  /** Recorded before handling: a re-delivery (after a slow acknowledgement or a restart) is dropped. */
  function firstDelivery(eventId: string | undefined): boolean {
    if (!eventId) return true;
    const fresh = events.markIfNew(`${CHANNEL}:${eventId}`, clock.now());
    if (!fresh) log.info({ event: eventId }, 'feishu event delivered again; ignored');
    return fresh;
  }

  /** Group names and sizes for the broadcast audience, fetched once per group and process. */
  function enrich(chatId: string): void {
    if (enriching.has(chatId) || chats.get(CHANNEL, chatId)?.name) return;
    enriching.add(chatId);
    track(deps.api.chatInfo(chatId).then((info) => {
      chats.seen({ channel: CHANNEL, id: chatId, kind: 'group', name: info.name, members: info.members }, clock.now());
    }).catch((e: Error) => log.debug({ chat: chatId, err: e.message }, 'feishu chat info unavailable')), 'chat info');
  }

  /** The reply waits for the commit that holds the turn (group commit). */
  async function answer(turn: Turn, version: number): Promise<{ message: FeishuMessage; check: boolean }> {
    try {
      const answered = engine.handle(turn);
      await engine.committed?.();
      return renderAnswer(answered, { doc, replies, owner: turn.user, version });
    } catch (e) {
      log.error({ err: (e as Error).message, chat: turn.chat }, 'dialog failed on a feishu message');
      return { message: text(replies.render('feishuError')), check: false };
    }
  }

  async function handleMessage(ev: MessageEvent, eventId: string): Promise<void> {
    const msg = ev.message;
    const user = ev.sender?.sender_id?.open_id;
    if (!msg?.chat_id || !msg.message_id || !user) return;
    if (ev.sender?.sender_type && ev.sender.sender_type !== 'user') return;
    const now = clock.now();
    const kind = msg.chat_type === 'p2p' ? 'p2p' : 'group';
    chats.seen({ channel: CHANNEL, id: msg.chat_id, kind }, now);
    if (kind === 'p2p') privateChats.set(user, msg.chat_id);
    if (kind === 'group') {
      enrich(msg.chat_id);
      let bot: string;
      try {
        bot = await deps.api.botOpenId();
      } catch (e) {
        log.warn({ err: (e as Error).message }, 'feishu bot open_id unknown; a group message was not answered');
        return;
      }
      if (!(msg.mentions ?? []).some((m) => m.id?.open_id === bot)) return;
    }

    const words = messageText(msg);
    let reply: FeishuMessage;
    let check = false;
    let turn: Turn | undefined;
    if (words === undefined) reply = text(replies.render('feishuNonText'));
    else if (!words) reply = text(replies.render('greeting', { docTitle: doc.title }));
    else if (words.length > MAX_TEXT) reply = text(replies.render('feishuTooLong', { length: words.length, max: MAX_TEXT }));
    // Before the staff commands, which take every other "/…".
    else if (deps.broadcasts?.isCommand(words)) {
      const result = deps.broadcasts.preview(words, { channel: CHANNEL, user, chat: msg.chat_id });
      if (result.kind === 'text') reply = text(result.text);
      else {
        // The draft rides in the buttons: confirming needs no state that a restart could lose.
        const click = (b: unknown) => ({ t: '', o: user, v: 1, b });
        reply = {
          kind: 'card',
          card: {
            title: replies.render('broadcastPreviewTitle'), colour: 'orange', body: result.text,
            buttons: [
              { label: replies.render('broadcastConfirm'), value: click(result.draft), primary: true },
              { label: replies.render('broadcastDiscard'), value: click(DISCARD) },
            ],
          },
        };
        const sent = await sender.sendToChat(msg.chat_id, reply, uuidFor(eventId));
        if (sent) cards.register(sent, previewKey(user), clock.now());
        return;
      }
    } else if (kind === 'group' && subscriptionCommand(words) !== undefined) {
      reply = text(await groupSubscription(msg.chat_id, user, subscriptionCommand(words)!));
    } else if (staff.isCommand(words)) reply = text(staff.run(words, { isStaff: deps.staffIds.has(user) }));
    else {
      turn = {
        channel: CHANNEL, chat: msg.chat_id, user, text: words, at: Number(msg.create_time) || now, mentioned: true,
        group: kind === 'group', privateChat: privateChats.get(user),
      };
      ({ message: reply, check } = await answer(turn, 1));
    }
    const uuid = uuidFor(eventId);
    // In a group the answer quotes the question; in a private chat a quote is noise.
    const sent = kind === 'p2p' ? await sender.sendToChat(msg.chat_id, reply, uuid) : await sender.reply(msg.chat_id, msg.message_id, reply, uuid);
    if (check && turn && sent) cards.register(sent, conversationKey(turn), clock.now());
  }

  /** "@bot 退订通知" / "订阅通知" in a group: its owner (as Feishu reports it) or anyone in FEISHU_STAFF decides. */
  async function groupSubscription(chatId: string, user: string, subscribe: boolean): Promise<string> {
    let owner: string | undefined;
    if (!deps.staffIds.has(user)) {
      owner = await deps.api.chatInfo(chatId).then((info) => info.owner, (e: Error) => {
        log.warn({ chat: chatId, err: e.message }, 'feishu chat owner unknown; subscription command refused');
        return undefined;
      });
    }
    const allowed = deps.staffIds.has(user) || owner === user;
    log.info({ chat: chatId, user, subscribed: subscribe, allowed }, allowed ? 'feishu: group subscription changed' : 'feishu: subscription command refused (not owner or staff)');
    return changeSubscription(chats, replies, { channel: CHANNEL, chat: chatId, subscribe, allowed });
  }

  /** Removed or disbanded: the chat stays known (tags, subscription) but broadcasts skip it until the bot is added back. */
  function chatGone(ev: ChatGoneEvent, reason: 'removed' | 'disbanded'): EventAck {
    if (!ev.chat_id || !firstDelivery(ev.event_id)) return {};
    if (!chats.get(CHANNEL, ev.chat_id)) chats.seen({ channel: CHANNEL, id: ev.chat_id, kind: 'group', name: ev.name }, clock.now());
    chats.markLeft(CHANNEL, ev.chat_id, clock.now(), reason);
    log.info({ chat: ev.chat_id, reason }, 'feishu: the bot is no longer in a group; marked inactive');
    return {};
  }

  /** A preview's button: the card turns into the outcome, without buttons, so it cannot be pressed twice. */
  async function handleBroadcastClick(click: ClickValue, operator: string, chatId: string, messageId: string): Promise<void> {
    const outcome = click.b === DISCARD
      ? replies.render('broadcastDiscarded')
      : deps.broadcasts!.confirm(click.b, { channel: CHANNEL, user: operator, chat: chatId });
    await sender.patch(chatId, messageId, { title: replies.render('broadcastPreviewTitle'), colour: click.b === DISCARD ? 'grey' : 'green', body: outcome });
  }

  async function handleClick(click: ClickValue, operator: string, chatId: string, messageId: string, version: number | undefined, eventId: string): Promise<void> {
    const turn: Turn = {
      channel: CHANNEL, chat: chatId, user: operator, text: click.t, at: clock.now(), mentioned: true,
      // A click does not say what kind of chat it came from; the registry knows every chat with a message.
      group: chats.get(CHANNEL, chatId)?.kind === 'group', privateChat: privateChats.get(operator),
    };
    const rendered = await answer(turn, version ?? 1);
    if (version !== undefined && rendered.check && rendered.message.kind === 'card') {
      // The next step of the check replaces the card that asked: the chat does not fill with cards.
      await sender.patch(chatId, messageId, rendered.message.card);
      return;
    }
    const sent = await sender.reply(chatId, messageId, rendered.message, uuidFor(eventId));
    if (rendered.check && sent) cards.register(sent, conversationKey(turn), clock.now());
  }

  return {
    message(ev) {
      const eventId = ev.event_id ?? ev.uuid ?? ev.message?.message_id;
      if (!eventId || !firstDelivery(eventId)) return {};
      track(handleMessage(ev, eventId), 'message');
      return {};
    },
    cardAction(ev) {
      if (!firstDelivery(ev.event_id)) return {};
      const parsed = ClickSchema.safeParse(ev.action?.value);
      const operator = ev.operator?.open_id;
      const messageId = ev.context?.open_message_id;
      const chatId = ev.context?.open_chat_id;
      if (!parsed.success || !operator || !messageId || !chatId) {
        log.debug({ event: ev.event_id }, 'feishu card click without a value this channel drew; ignored');
        return {};
      }
      const click = parsed.data;
      if (click.o && click.o !== operator) return toast(replies.render('feishuNotYourCard'));
      let version: number | undefined;
      if (click.v !== undefined) {
        // Claimed now, before acknowledging: a double click or an outdated card cannot answer twice.
        if (!cards.claim(messageId, click.v, clock.now())) return toast(replies.render('feishuCardStale'));
        version = click.v + 1;
      }
      if (click.b !== undefined) {
        if (deps.broadcasts) track(handleBroadcastClick(click, operator, chatId, messageId), 'broadcast click');
        return {};
      }
      track(handleClick(click, operator, chatId, messageId, version, ev.event_id ?? `${messageId}:${click.v ?? 0}:${click.t}`), 'card click');
      return {};
    },
    botAdded(ev: BotAddedEvent) {
      // seen() also makes a chat the bot had been removed from active again.
      if (ev.chat_id) chats.seen({ channel: CHANNEL, id: ev.chat_id, kind: 'group', name: ev.name }, clock.now());
      return {};
    },
    botRemoved: (ev) => chatGone(ev, 'removed'),
    chatDisbanded: (ev) => chatGone(ev, 'disbanded'),
    async drain() {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
  };
}
