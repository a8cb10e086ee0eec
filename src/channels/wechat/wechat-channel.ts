import { types, type Contact, type Message, type Room, type Wechaty } from 'wechaty';
import type { Answer } from '../../core/answer.js';
import type { BroadcastSender } from '../../core/ports.js';
import { changeSubscription, subscriptionCommand } from '../../broadcast/subscription.js';
import { conversationKey, type Turn } from '../../core/turn.js';
import type { Channel, ChannelDeps } from '../channel.js';
import { BurstLimiter } from './burst-limiter.js';
import { errorText, isFrequencyLimit, refusedBeforeLeaving, WechatSendError } from './send-errors.js';
import { KeyedSerial, SerialQueue } from './serial.js';
import { createWechatSession, type SessionOptions } from './session.js';
import type { WechatSettings } from './settings.js';
import { splitMessage } from './split-message.js';

export { WechatSendError, type WechatSendFailure } from './send-errors.js';

const CHANNEL = 'wechat';
/** A backlog replayed after a reconnect is not answered: a late answer in a group is noise. */
const STALE_MS = 10 * 60_000;
/** How often a group already recorded is recorded again (its name, member count, last sight). */
const ROOM_REFRESH_MS = 10 * 60_000;
/** How long a message id is remembered against re-delivery (Feishu needs 8 h; the table is shared). */
const EVENT_RETENTION_MS = 48 * 3600_000;
const FREQUENCY_ALERT_EVERY_MS = 3600_000;
/** Room.say puts "@name " before the text: keep room for it in a chunk. */
const MENTION_ROOM = 34;
/** WeChat's own service accounts talk in private chats too; they are never people. */
const SYSTEM_CONTACTS = new Set(['filehelper', 'weixin', 'fmessage', 'newsapp', 'medianote', 'floatbottle', 'qmessage']);
/** Non-text messages that a person sends on purpose; a private chat gets a hint for these. */
const HINTED_TYPES = new Set<types.Message>([
  types.Message.Attachment, types.Message.Audio, types.Message.Contact, types.Message.ChatHistory, types.Message.Emoticon,
  types.Message.Image, types.Message.Location, types.Message.MiniProgram, types.Message.Url, types.Message.Video,
]);

/** The WeChat channel as main and a broadcaster see it: no wechaty type crosses this line. */
export interface WechatChannel extends Channel {
  readonly name: 'wechat';
  /** True while the account is logged in and can send. */
  loggedIn(): boolean;
  /**
   * Sends text to a group (room id) through the account's one serial send queue, split like
   * replies. Pacing between rooms is the caller's; a refusal throws WechatSendError.
   */
  sendToRoom(roomId: string, text: string): Promise<void>;
  /** sendToRoom for the broadcast worker, which paces the calls. */
  readonly broadcastSender: BroadcastSender;
}

export function isWechatChannel(channel: Channel): channel is WechatChannel {
  return channel.name === CHANNEL && typeof (channel as Partial<WechatChannel>).sendToRoom === 'function';
}

export type WechatChannelOptions = SessionOptions;

/** Builds the channel around a Wechaty instance; starts nothing. */
export function buildWechatChannel(settings: WechatSettings, deps: ChannelDeps, options: WechatChannelOptions = {}): WechatChannel {
  const { engine, chats, events, alerts, clock, log, replies } = deps;
  const redact = deps.redact ?? ((text: string) => text);

  const sendQueue = new SerialQueue();
  const conversations = new KeyedSerial();
  const limiter = new BurstLimiter();
  const roomSeenAt = new Map<string, number>();
  /** Conversations whose last answer asked a question of the eligibility check. */
  const awaitingAnswer = new Set<string>();
  const ignored = new Set([...SYSTEM_CONTACTS, ...settings.ignoreContacts]);
  const admins = new Set(settings.admins);

  let stopping = false;
  let lastFrequencyAlert = 0;
  let housekeeping: NodeJS.Timeout | undefined;

  const session = createWechatSession(settings, deps, options, {
    wire,
    loggedIn: (bot) => void recordAllRooms(bot),
  });

  function alert(text: string): void {
    alerts.alert(redact(text)).catch((e: unknown) => log.error({ err: e }, 'wechat: could not deliver a staff alert'));
  }

  // ------------------------------------------------------------------ what arrives

  function wire(bot: Wechaty): void {
    bot.on('room-join', (room) => noteRoom(room, true));
    bot.on('room-topic', (room) => noteRoom(room, true));
    bot.on('room-leave', (room, leavers) => {
      const self = bot.isLoggedIn ? bot.currentUser.id : undefined;
      // The registry keeps the group (tags, subscription) but broadcasts skip it until the bot is back.
      if (leavers.some((c) => c.id === self)) {
        chats.markLeft(CHANNEL, room.id, clock.now(), 'removed');
        roomSeenAt.delete(room.id);
        log.warn({ room: room.id }, 'wechat: the bot was removed from a group; marked inactive');
      } else noteRoom(room, true);
    });

    bot.on('message', (msg) => {
      if (stopping || msg.self()) return;
      deps.health?.heard(CHANNEL);
      // Keyed before any await: one conversation's messages are handled in arrival order.
      const room = msg.room();
      const key = `${room?.id ?? ''}\u241f${msg.talker().id}`;
      void conversations.run(key, () => onMessage(msg)).catch((e: unknown) => log.error({ err: e, message: msg.id }, 'wechat: message handling failed'));
    });
  }

  // ------------------------------------------------------------------ groups

  function noteRoom(room: Room, force = false): void {
    const now = clock.now();
    const last = roomSeenAt.get(room.id);
    if (!force && last !== undefined && now - last < ROOM_REFRESH_MS) return;
    roomSeenAt.set(room.id, now);
    chats.seen({ channel: CHANNEL, id: room.id, kind: 'group', name: room.payload?.topic, members: room.payload?.memberIdList.length }, now);
  }

  async function recordAllRooms(bot: Wechaty): Promise<void> {
    try {
      const rooms = await bot.Room.findAll();
      for (const room of rooms) noteRoom(room, true);
      log.info({ groups: rooms.length }, 'wechat: groups recorded');
    } catch (e) {
      log.warn({ err: e }, 'wechat: could not list the groups');
    }
  }

  function canManage(room: Room, contact: Contact): boolean {
    return admins.has(contact.id) || room.owner()?.id === contact.id || (room.payload?.adminIdList ?? []).includes(contact.id);
  }

  /** "政策：技改补助" → "技改补助"; "政策有效期多久" keeps its words. Undefined: no keyword. */
  function afterKeyword(text: string): string | undefined {
    const trimmed = text.trim();
    const keyword = settings.groupKeywords.find((k) => trimmed.startsWith(k));
    if (!keyword) return undefined;
    const rest = trimmed.slice(keyword.length);
    return /^[\s:：,，]/.test(rest) ? rest.replace(/^[\s:：,，]+/, '') : trimmed;
  }

  // ------------------------------------------------------------------ one message

  async function onMessage(msg: Message): Promise<void> {
    const talker = msg.talker();
    if (ignored.has(talker.id) || talker.type() === types.Contact.Official) return;
    const now = clock.now();
    if (now - msg.date().getTime() > STALE_MS) {
      log.debug({ message: msg.id }, 'wechat: stale message ignored');
      return;
    }
    const room = msg.room();
    const isText = msg.type() === types.Message.Text;
    let text: string;
    let byMention = false;
    if (room) {
      noteRoom(room);
      if (!isText) return;
      byMention = await msg.mentionSelf();
      const asked = byMention ? await msg.mentionText() : afterKeyword(msg.text());
      if (asked === undefined) return;
      text = asked.trim();
    } else {
      if (!isText && !HINTED_TYPES.has(msg.type())) return;
      text = isText ? msg.text().trim() : '';
    }

    // Only messages meant for the bot reach here: only they are worth remembering.
    if (!events.markIfNew(`${CHANNEL}:${msg.id}`, now)) {
      log.debug({ message: msg.id }, 'wechat: duplicate delivery ignored');
      return;
    }
    const reply = (body: string) => (room ? sayInRoom(room, body, talker) : sayToContact(talker, body));

    const chat = room?.id ?? talker.id;
    const key = conversationKey({ channel: CHANNEL, chat, user: talker.id });
    // Answers to the check's own questions get twice the allowance: a quick typist finishes a check.
    const limit = settings.userRatePerMinute * (awaitingAnswer.has(key) ? 2 : 1);
    const decision = limiter.take(talker.id, now, limit);
    if (decision === 'drop') return;
    if (decision === 'notice') {
      log.info({ user: talker.id, chat }, 'wechat: burst throttled');
      await reply(replies.render('wechatThrottled'));
      return;
    }

    if (!isText) {
      await reply(replies.render('wechatNonText'));
      return;
    }
    const subscribe = room && byMention ? subscriptionCommand(text) : undefined;
    if (room && subscribe !== undefined) {
      await subscription(room, talker, subscribe, reply);
      return;
    }
    if (!text) {
      await reply(replies.render('greeting', { docTitle: deps.doc.title }));
      return;
    }

    const turn: Turn = {
      channel: CHANNEL, chat, user: talker.id, text, at: msg.date().getTime(), mentioned: true,
      userName: talker.name(), group: Boolean(room), privateChat: talker.id,
    };
    const answer: Answer = engine.handle(turn);
    await engine.committed?.();
    if (answer.dialog && !answer.dialog.done) awaitingAnswer.add(key);
    else awaitingAnswer.delete(key);
    await reply(answer.reply);
  }

  async function subscription(room: Room, talker: Contact, subscribe: boolean, reply: (body: string) => Promise<void>): Promise<void> {
    const allowed = canManage(room, talker);
    // The id is what WECHAT_ADMINS takes: logged so staff can grant the right.
    if (!allowed) log.info({ room: room.id, user: talker.id, name: talker.name() }, 'wechat: subscription command refused (not owner or admin)');
    else {
      noteRoom(room, true);
      log.info({ room: room.id, user: talker.id, subscribed: subscribe }, 'wechat: group subscription changed');
    }
    await reply(changeSubscription(chats, replies, { channel: CHANNEL, chat: room.id, subscribe, allowed }));
  }

  // ------------------------------------------------------------------ sending

  /** One job on the account's queue; `alertOnLimit` is off where the caller alerts itself (the broadcaster). */
  function send(job: () => Promise<void>, alertOnLimit = true): Promise<void> {
    return sendQueue.run(async () => {
      try {
        await job();
      } catch (e) {
        const err = classify(e, alertOnLimit);
        deps.metrics?.platformError(CHANNEL, err.reason);
        throw err;
      }
    });
  }

  /** What a failed send means for whoever retries it; texts are redacted (they end up in logs and the outbox). */
  function classify(e: unknown, alertOnLimit: boolean): WechatSendError {
    if (e instanceof WechatSendError) return e;
    const text = redact(errorText(e));
    if (isFrequencyLimit(e)) {
      log.error({ error: text }, 'wechat: SENDING LIMITED by WeChat');
      const now = clock.now();
      if (alertOnLimit && now - lastFrequencyAlert >= FREQUENCY_ALERT_EVERY_MS) {
        lastFrequencyAlert = now;
        alert(replies.render('wechatFrequencyLimited', { reason: text }));
      }
      return new WechatSendError('frequency_limited', text);
    }
    return new WechatSendError(refusedBeforeLeaving(e) ? 'disconnected' : 'failed', text);
  }

  function sayInRoom(room: Room, text: string, mention?: Contact, alertOnLimit = true): Promise<void> {
    const parts = splitMessage(text, settings.maxMessageChars - (mention ? MENTION_ROOM : 0));
    return send(async () => {
      for (const [i, part] of parts.entries()) {
        if (i === 0 && mention) await room.say(part, mention);
        else await room.say(part);
      }
    }, alertOnLimit);
  }

  function sayToContact(contact: Contact, text: string): Promise<void> {
    const parts = splitMessage(text, settings.maxMessageChars);
    return send(async () => {
      for (const part of parts) await contact.say(part);
    });
  }

  async function sendToRoom(roomId: string, text: string, alertOnLimit = true): Promise<void> {
    const bot = session.bot();
    if (!session.loggedIn() || !bot) throw new WechatSendError('not_logged_in', session.whyNotConnected() ?? 'the WeChat account is not logged in');
    let room: Room | undefined;
    try {
      room = await bot.Room.find({ id: roomId });
    } catch (e) {
      throw classify(e, alertOnLimit);
    }
    // A lookup that came back empty because the connection just dropped is not a missing group.
    if (!room && !session.loggedIn()) throw new WechatSendError('disconnected', session.whyNotConnected() ?? 'disconnected');
    if (!room) throw new WechatSendError('room_not_found', `no WeChat group ${roomId}`);
    await sayInRoom(room, text, undefined, alertOnLimit);
  }

  return {
    name: CHANNEL,
    loggedIn: () => session.loggedIn(),
    sendToRoom: (roomId, text) => sendToRoom(roomId, text),
    broadcastSender: {
      channel: CHANNEL,
      // WeChat takes no delivery id: a send cut short may or may not have arrived.
      idempotent: false,
      // The rendered text already starts with the title; a card title is Feishu's.
      send: (chatId, message) => sendToRoom(chatId, message.text, false),
      available: () => session.loggedIn(),
    },
    async start() {
      events.prune(clock.now() - EVENT_RETENTION_MS);
      housekeeping = setInterval(() => {
        events.prune(clock.now() - EVENT_RETENTION_MS);
        limiter.sweep(clock.now());
      }, 3600_000);
      housekeeping.unref();
      await session.start();
    },
    async stop() {
      stopping = true;
      if (housekeeping) clearInterval(housekeeping);
      // Let answers being sent finish, but never hang a shutdown on the network.
      await Promise.race([conversations.idle().then(() => sendQueue.idle()), new Promise((r) => setTimeout(r, 5000).unref())]);
      await session.stop();
    },
  };
}
