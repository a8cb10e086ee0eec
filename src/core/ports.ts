/** Ports owned by their users (dialog, channels); store/ implements them. */

export interface DialogStateStore<S = unknown> {
  get(key: string): S | undefined;
  put(key: string, state: S): void;
  delete(key: string): void;
}

export interface QuestionLogEntry {
  at: number;
  channel: string;
  chat: string;
  user: string;
  text: string;
  intent: string;
  confidence: number;
  measures: string[];
}

export interface QuestionLog {
  record(entry: QuestionLogEntry): void;
}

/** Platforms re-deliver events; each id is handled once. */
export interface ProcessedEvents {
  /** True the first time an id is seen; false for a re-delivery. */
  markIfNew(id: string, at: number): boolean;
  /** Forgets ids older than the given time. */
  prune(before: number): void;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A group or private chat the bot is in, as the broadcast audience sees it. */
export interface ChatRecord {
  channel: string;
  id: string;
  kind: 'group' | 'p2p';
  name: string;
  members: number;
  firstSeen: number;
  lastSeen: number;
  tags: string[];
  subscribed: boolean;
  /** Set while the bot is not in the chat (removed, the group disbanded); absent when it is. */
  left?: { at: number; reason: LeaveReason };
}

/** removed: the bot was taken out of a group; disbanded: the group is gone; left: the account left it. */
export type LeaveReason = 'removed' | 'disbanded' | 'left';

export interface ChatSighting {
  channel: string;
  id: string;
  kind: 'group' | 'p2p';
  name?: string;
  members?: number;
}

export interface ChatFilter {
  channel?: string;
  ids?: string[];
  /** Chats carrying any of these tags. */
  tags?: string[];
  kind?: 'group' | 'p2p';
}

export interface ChatRegistry {
  /** Records that the bot saw this chat now (and so is in it again); keeps its tags and subscription. */
  seen(chat: ChatSighting, at: number): void;
  /** The bot is no longer in the chat; false when the chat is unknown. `seen` makes it active again. */
  markLeft(channel: string, id: string, at: number, reason: LeaveReason): boolean;
  /** False when the chat is unknown. */
  setSubscribed(channel: string, id: string, subscribed: boolean): boolean;
  setTags(channel: string, id: string, tags: string[]): boolean;
  get(channel: string, id: string): ChatRecord | undefined;
  list(filter?: ChatFilter): ChatRecord[];
}

/** Something a person on the staff must act on (a WeChat logout, a frequency limit). */
export interface StaffAlerts {
  alert(text: string): Promise<void>;
}

/** The logging surface channels and workers may use (pino's, without depending on pino). */
export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}

/** Delivery of one notice to one chat: what a channel offers the broadcaster. */
export interface OutgoingMessage {
  title?: string;
  text: string;
}

/**
 * Why a send failed, as far as the platform says. "unavailable": refused before anything left
 * because the channel is not connected (queued again, sent once it is back); "blocked": the
 * platform refused it ("too frequent": queued again after a long rest); "permanent": never
 * deliverable; "transient": the fate is unknown or the failure may pass.
 */
export type SendFailure = 'unavailable' | 'blocked' | 'permanent' | 'transient';

export class SendError extends Error {
  constructor(readonly kind: SendFailure, message: string) {
    super(message);
  }
}

/** A channel's way to deliver a broadcast to one chat. */
export interface BroadcastSender {
  readonly channel: string;
  /** True when the platform dedupes by our delivery id, so resending after a crash is safe. */
  readonly idempotent: boolean;
  send(chatId: string, message: OutgoingMessage, deliveryId: string): Promise<void>;
  /** False while the channel cannot send at all (disconnected, logged out): its deliveries wait. */
  available?(): boolean;
}

/** Where a messaging channel's connection stands (the readiness view and the outage alerts read it). */
export type ChannelState = 'starting' | 'connected' | 'reconnecting' | 'logged_out' | 'disabled';

export interface ChannelStatus {
  channel: string;
  state: ChannelState;
  /** When the channel entered this state (ms since the epoch). */
  since: number;
  /** The last thing heard from the platform (a message, a login, a reconnect); null before any. */
  lastEventAt: number | null;
  /** Why, in English, when the state is not "connected" (never a secret: redacted by the channel). */
  detail?: string;
}

/** What each channel tells about its connection; main keeps one and serves it. */
export interface ChannelHealth {
  report(channel: string, state: ChannelState, detail?: string): void;
  /** Something arrived from the platform: the connection is alive. */
  heard(channel: string): void;
}
