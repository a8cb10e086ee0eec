import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import qrcodeTerminal from 'qrcode-terminal';
import {
  qrcodeValueToImageUrl, ScanStatus, types, WechatyBuilder,
  type Contact, type Message, type Room, type Wechaty, type WechatyOptions,
} from 'wechaty';
import type { Answer } from '../../core/answer.js';
import { SendError, type BroadcastSender, type SendFailure } from '../../core/ports.js';
import { conversationKey, type Turn } from '../../core/turn.js';
import type { Channel, ChannelDeps } from '../channel.js';
import { BurstLimiter } from './burst-limiter.js';
import { KeyedSerial, SerialQueue } from './serial.js';
import type { WechatSettings } from './settings.js';
import { splitMessage } from './split-message.js';

const CHANNEL = 'wechat';
/** A backlog replayed after a reconnect is not answered: a late answer in a group is noise. */
const STALE_MS = 10 * 60_000;
/** How often a group already recorded is recorded again (its name, member count, last sight). */
const ROOM_REFRESH_MS = 10 * 60_000;
/** How long a message id is remembered against re-delivery (Feishu needs 8 h; the table is shared). */
const EVENT_RETENTION_MS = 48 * 3600_000;
/** While logged out, the staff get a fresh QR link at most this often. */
const SCAN_ALERT_EVERY_MS = 10 * 60_000;
const FREQUENCY_ALERT_EVERY_MS = 3600_000;
const ERROR_LOG_EVERY_MS = 60_000;
const RETRY_START_MS = 5 * 60_000;
/** Room.say puts "@name " before the text: keep room for it in a chunk. */
const MENTION_ROOM = 34;
/** WeChat's own service accounts talk in private chats too; they are never people. */
const SYSTEM_CONTACTS = new Set(['filehelper', 'weixin', 'fmessage', 'newsapp', 'medianote', 'floatbottle', 'qmessage']);
/** Non-text messages that a person sends on purpose; a private chat gets a hint for these. */
const HINTED_TYPES = new Set<types.Message>([
  types.Message.Attachment, types.Message.Audio, types.Message.Contact, types.Message.ChatHistory, types.Message.Emoticon,
  types.Message.Image, types.Message.Location, types.Message.MiniProgram, types.Message.Url, types.Message.Video,
]);
/** Group commands (after the @): the words the README and the replies advertise. */
const SUBSCRIPTION_COMMANDS = new Map([['订阅通知', true], ['退订通知', false]]);

export type WechatSendFailure = 'not_logged_in' | 'room_not_found' | 'frequency_limited' | 'failed';

/**
 * How the broadcaster should treat each failure: refused before anything left ("blocked": queue
 * again after a rest), never deliverable ("permanent"), or unknown ("transient": WeChat has no
 * delivery id, so the broadcaster reports it as uncertain rather than risk a double post).
 */
const FAILURE_KIND: Record<WechatSendFailure, SendFailure> = {
  not_logged_in: 'blocked', frequency_limited: 'blocked', room_not_found: 'permanent', failed: 'transient',
};

/** A send WeChat refused; `reason` says why, `kind` what a broadcaster should do about it. */
export class WechatSendError extends SendError {
  constructor(readonly reason: WechatSendFailure, message: string) {
    super(FAILURE_KIND[reason], message);
  }
}

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

type PuppetInstance = Exclude<WechatyOptions['puppet'], string | undefined>;

export interface WechatChannelOptions {
  /** A puppet instance instead of the one named by the settings (tests use wechaty-puppet-mock). */
  puppet?: PuppetInstance;
  /** Where the login QR code is drawn; the terminal by default. */
  printQr?: (qrcode: string) => void;
}

interface LoginRecord {
  account: string;
  at: number;
}

function printQrInTerminal(qrcode: string): void {
  qrcodeTerminal.generate(qrcode, { small: true }, (drawn) => process.stdout.write(`${drawn}\n`));
}

function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  // fetch says only "fetch failed"; the reason (ENOTFOUND, ECONNREFUSED…) is its cause.
  const cause = e.cause instanceof Error ? `: ${(e.cause as NodeJS.ErrnoException).code ?? e.cause.message}` : '';
  return `${e.message}${cause}`;
}

function isFrequencyLimit(e: unknown): boolean {
  return /频繁|frequen|rate.?limit|too many/i.test(errorText(e));
}

/** Builds the channel around a Wechaty instance; starts nothing. */
export function buildWechatChannel(settings: WechatSettings, deps: ChannelDeps, options: WechatChannelOptions = {}): WechatChannel {
  const { engine, chats, events, alerts, clock, log, replies } = deps;
  // Named after the bot and kept in the data folder: wechaty stores the session there
  // (<name>.memory-card.json), so a restart logs in again without a scan where the puppet can.
  const sessionName = join(deps.dataDir, settings.botName);
  const loginFile = `${sessionName}.login.json`;
  const printQr = options.printQr ?? printQrInTerminal;

  const sendQueue = new SerialQueue();
  const conversations = new KeyedSerial();
  const limiter = new BurstLimiter();
  const roomSeenAt = new Map<string, number>();
  /** Conversations whose last answer asked a question of the eligibility check. */
  const awaitingAnswer = new Set<string>();
  const ignored = new Set([...SYSTEM_CONTACTS, ...settings.ignoreContacts]);
  const admins = new Set(settings.admins);

  let loggedIn = false;
  let stopping = false;
  let previousLogin = readLoginRecord();
  let loggedOutAlerted = false;
  let lastScanAlert = 0;
  let lastFrequencyAlert = 0;
  let housekeeping: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let startAlerted = false;
  let lastSignOfLife = 0;
  /** Errors the puppet reports while starting: it swallows them, so this is how a failed start shows. */
  let startErrors: string[] | undefined;
  /** Built at start: a puppet service may first need its address looked up. */
  let bot: Wechaty | undefined;

  function readLoginRecord(): LoginRecord | undefined {
    if (!existsSync(loginFile)) return undefined;
    try {
      return JSON.parse(readFileSync(loginFile, 'utf8')) as LoginRecord;
    } catch {
      return undefined;
    }
  }

  function alert(text: string): void {
    alerts.alert(text).catch((e: unknown) => log.error({ err: e }, 'wechat: could not deliver a staff alert'));
  }

  // ------------------------------------------------------------------ login lifecycle

  function createBot(endpoint: string | undefined): Wechaty {
    // Named after the bot and kept in the data folder: wechaty stores the session there
    // (<name>.memory-card.json), so a restart logs in again without a scan where the puppet can.
    const created = options.puppet
      ? WechatyBuilder.build({ name: sessionName, puppet: options.puppet })
      : WechatyBuilder.build({
        name: sessionName,
        puppet: settings.puppet,
        puppetOptions: {
          token: settings.token,
          endpoint,
          ...(settings.noTlsInsecureClient !== undefined ? { tls: { disable: settings.noTlsInsecureClient } } : {}),
        } as Record<string, unknown>,
      });
    wire(created);
    return created;
  }

  function wire(bot: Wechaty): void {
    bot.on('scan', (qrcode, status) => {
      if (status !== ScanStatus.Waiting && status !== ScanStatus.Timeout) {
        lastSignOfLife = clock.now();
        log.info({ status: ScanStatus[status] }, 'wechat: QR code scanned, waiting for confirmation on the phone');
        return;
      }
      lastSignOfLife = clock.now();
      const link = qrcodeValueToImageUrl(qrcode);
      if (previousLogin) {
        // The account was logged in before: the session is gone and only a person can fix it.
        // No restart: the puppet keeps offering fresh codes until someone scans one.
        log.error({ link, account: previousLogin.account }, 'wechat: LOGIN LOST: scan the QR code with the bot account to log in again');
        const now = clock.now();
        if (now - lastScanAlert >= SCAN_ALERT_EVERY_MS) {
          lastScanAlert = now;
          alert(replies.render('wechatScanNeeded', { link }));
        }
      } else {
        log.warn({ link }, 'wechat: scan the QR code with the bot account to log in (also printed below)');
      }
      printQr(qrcode);
    });

    bot.on('login', (user) => {
      loggedIn = true;
      lastSignOfLife = clock.now();
      loggedOutAlerted = false;
      startAlerted = false;
      lastScanAlert = 0;
      const record: LoginRecord = { account: user.name(), at: clock.now() };
      previousLogin = record;
      try {
        writeFileSync(loginFile, JSON.stringify(record));
      } catch (e) {
        log.warn({ err: e }, 'wechat: could not write the login record');
      }
      log.info({ account: record.account }, 'wechat: logged in');
      void recordAllRooms(bot);
    });

    bot.on('logout', (user, reason) => {
      loggedIn = false;
      const account = user.name();
      log.error({ account, reason }, 'wechat: LOGGED OUT: the bot answers nobody until the account logs in again');
      if (!loggedOutAlerted) {
        loggedOutAlerted = true;
        alert(replies.render('wechatLoggedOut', { account, reason: reason || '未说明原因' }));
      }
    });

    // Puppets retry on their own and repeat the same error many times a second while a network
    // is down: each distinct message is logged once a minute, with how often it recurred.
    const errorsSeen = new Map<string, { at: number; repeats: number }>();
    bot.on('error', (e) => {
      const text = errorText(e);
      const now = clock.now();
      const seen = errorsSeen.get(text);
      if (seen && now - seen.at < ERROR_LOG_EVERY_MS) {
        startErrors?.push(text);
        seen.repeats++;
        return;
      }
      startErrors?.push(text);
      if (errorsSeen.size > 100) errorsSeen.clear();
      errorsSeen.set(text, { at: now, repeats: 0 });
      log.warn({ error: text, repeatedSinceLastLog: seen?.repeats ?? 0 }, 'wechat: puppet error');
      log.debug({ err: e }, 'wechat: puppet error (details)');
    });

    bot.on('room-join', (room) => noteRoom(room, true));
    bot.on('room-topic', (room) => noteRoom(room, true));
    bot.on('room-leave', (room, leavers) => {
      const self = bot.isLoggedIn ? bot.currentUser.id : undefined;
      // The registry keeps the group (and its subscription): a broadcaster learns of the removal when sending fails.
      if (leavers.some((c) => c.id === self)) log.warn({ room: room.id }, 'wechat: the bot was removed from a group');
      else noteRoom(room, true);
    });

    bot.on('message', (msg) => {
      if (stopping || msg.self()) return;
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
    const subscribe = room && byMention ? SUBSCRIPTION_COMMANDS.get(text.replace(/[\s。.!！]+$/, '')) : undefined;
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
    if (!canManage(room, talker)) {
      // The id is what WECHAT_ADMINS takes: logged so staff can grant the right.
      log.info({ room: room.id, user: talker.id, name: talker.name() }, 'wechat: subscription command refused (not owner or admin)');
      await reply(replies.render('wechatSubscriptionRefused'));
      return;
    }
    noteRoom(room, true);
    chats.setSubscribed(CHANNEL, room.id, subscribe);
    log.info({ room: room.id, user: talker.id, subscribed: subscribe }, 'wechat: group subscription changed');
    await reply(replies.render(subscribe ? 'wechatSubscribed' : 'wechatUnsubscribed'));
  }

  // ------------------------------------------------------------------ sending

  /** One job on the account's queue; `alertOnLimit` is off where the caller alerts itself (the broadcaster). */
  function send(job: () => Promise<void>, alertOnLimit = true): Promise<void> {
    return sendQueue.run(async () => {
      try {
        await job();
      } catch (e) {
        if (isFrequencyLimit(e)) {
          log.error({ err: e }, 'wechat: SENDING LIMITED by WeChat');
          const now = clock.now();
          if (alertOnLimit && now - lastFrequencyAlert >= FREQUENCY_ALERT_EVERY_MS) {
            lastFrequencyAlert = now;
            alert(replies.render('wechatFrequencyLimited', { reason: errorText(e) }));
          }
          throw new WechatSendError('frequency_limited', errorText(e));
        }
        throw e instanceof WechatSendError ? e : new WechatSendError('failed', errorText(e));
      }
    });
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
    if (!loggedIn || !bot) throw new WechatSendError('not_logged_in', 'the WeChat account is not logged in');
    const room = await bot.Room.find({ id: roomId });
    if (!room) throw new WechatSendError('room_not_found', `no WeChat group ${roomId}`);
    await sayInRoom(room, text, undefined, alertOnLimit);
  }

  return {
    name: CHANNEL,
    loggedIn: () => loggedIn,
    sendToRoom: (roomId, text) => sendToRoom(roomId, text),
    broadcastSender: {
      channel: CHANNEL,
      // WeChat takes no delivery id: a send cut short may or may not have arrived.
      idempotent: false,
      // The rendered text already starts with the title; a card title is Feishu's.
      send: (chatId, message) => sendToRoom(chatId, message.text, false),
    },
    async start() {
      events.prune(clock.now() - EVENT_RETENTION_MS);
      housekeeping = setInterval(() => {
        events.prune(clock.now() - EVENT_RETENTION_MS);
        limiter.sweep(clock.now());
      }, 3600_000);
      housekeeping.unref();
      await launch();
    },
    async stop() {
      stopping = true;
      if (housekeeping) clearInterval(housekeeping);
      if (retry) clearTimeout(retry);
      // Let answers being sent finish, but never hang a shutdown on the network.
      await Promise.race([conversations.idle().then(() => sendQueue.idle()), new Promise((r) => setTimeout(r, 5000).unref())]);
      await bot?.stop();
      loggedIn = false;
    },
  };

  /** Problems only a person can fix are logged loudly and told to the staff once; the service keeps running. */
  function startFailed(reason: string): void {
    log.error({ reason }, `wechat: COULD NOT START; retrying every ${RETRY_START_MS / 60_000} minutes`);
    if (!startAlerted) {
      startAlerted = true;
      alert(replies.render('wechatStartFailed', { reason }));
    }
  }

  /**
   * Builds and starts the bot. Never throws: a crash would only restart the service into the
   * same failure. A puppet-service token is resolved to an address here first: the gRPC
   * resolver that wechaty-token registers calls listener.onError / onSuccessfulResolution,
   * which the installed @grpc/grpc-js (1.14) no longer has, so any lookup through it ends in
   * an uncaught TypeError that kills the process (seen for a failed lookup; read for a
   * successful one). With an explicit host:port that resolver is never used.
   */
  async function launch(): Promise<void> {
    retry = undefined;
    if (stopping) return;
    let endpoint = settings.endpoint;
    if (!options.puppet && settings.puppet === 'wechaty-puppet-service' && !endpoint) {
      try {
        endpoint = await discoverPuppetService(settings.token!, settings.authority);
        log.info({ endpoint }, 'wechat: puppet service found for the token');
      } catch (e) {
        startFailed(`cannot find the puppet service for the token: ${errorText(e)}`);
        retry = setTimeout(() => void launch(), RETRY_START_MS);
        retry.unref();
        return;
      }
    }
    bot = createBot(endpoint);
    startErrors = [];
    try {
      // Resolves once the puppet runs; login follows (from the saved session, or a scan).
      await bot.start();
    } catch (e) {
      startErrors.push(errorText(e));
    }
    const failures = startErrors;
    startErrors = undefined;
    if (failures.length) {
      startFailed(failures[0]);
      // Some puppets recover on their own (a web login retrying): restart only one that showed
      // no sign of life (a QR code, a login) in the meantime.
      const failedAt = clock.now();
      const failedBot = bot;
      retry = setTimeout(() => {
        if (stopping || loggedIn || lastSignOfLife > failedAt) return;
        bot = undefined;
        void failedBot.stop().catch(() => undefined).then(() => launch());
      }, RETRY_START_MS);
      retry.unref();
      return;
    }
    log.info({ puppet: options.puppet ? 'injected' : settings.puppet, session: `${sessionName}.memory-card.json` }, 'wechat: started, waiting for login');
  }
}

/** What wechaty-token does (GET https://<authority>/v0/hosties/<token> → { host, port }; 404: unknown token), without its crash. */
async function discoverPuppetService(token: string, authority: string): Promise<string> {
  const res = await fetch(`https://${authority}/v0/hosties/${encodeURIComponent(token)}`, { signal: AbortSignal.timeout(15_000) });
  if (res.status >= 400 && res.status < 500) throw new Error(`${authority} does not know this token (HTTP ${res.status})`);
  if (!res.ok) throw new Error(`${authority} answered HTTP ${res.status}`);
  // Older discovery services answer { ip, port }.
  const address = (await res.json()) as { host?: string; ip?: string; port?: number };
  const host = address.host ?? address.ip;
  if (!host || !address.port) throw new Error(`${authority} has no address for this token`);
  return `${host}:${address.port}`;
}
