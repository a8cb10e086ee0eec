/**
 * The parts of Feishu's events this channel reads, as the SDK's dispatcher hands them over
 * (schema 2.0: the header's fields and the event's fields merged into one object). Only what is
 * used is declared; everything is optional where Feishu may leave it out.
 */

export interface MessageEvent {
  event_id?: string;
  /** v1 events carry a uuid instead of a header.event_id. */
  uuid?: string;
  sender?: {
    sender_id?: { open_id?: string };
    /** 'user' for people; bots and apps are ignored. */
    sender_type?: string;
  };
  message?: {
    message_id?: string;
    chat_id?: string;
    /** 'p2p' | 'group' (and 'topic_group' for topic groups). */
    chat_type?: string;
    message_type?: string;
    /** JSON text: {"text": "@_user_1 你好"} for text, {"title", "content": [[{tag, text}]]} for post. */
    content?: string;
    create_time?: string;
    mentions?: { key?: string; name?: string; id?: { open_id?: string } }[];
  };
}

/** What a card button carries back (kept short: it travels inside every card). */
export interface ClickValue {
  /** The text the click stands for, fed to the dialog as if typed. */
  t: string;
  /** The card's owner (eligibility cards are one person's dialog). */
  o?: string;
  /** The card's version when it was drawn (eligibility cards): a stale click is refused. */
  v?: number;
  /** A broadcast preview's button: the draft to send, or "discard". */
  b?: unknown;
}

export interface CardActionEvent {
  event_id?: string;
  operator?: { open_id?: string };
  action?: { value?: unknown; tag?: string };
  context?: { open_message_id?: string; open_chat_id?: string };
}

export interface BotAddedEvent {
  event_id?: string;
  chat_id?: string;
  name?: string;
}

/** im.chat.member.bot.deleted_v1 (the bot was removed from a group) and im.chat.disbanded_v1. */
export interface ChatGoneEvent {
  event_id?: string;
  chat_id?: string;
  name?: string;
}

/** The synchronous answer to an event: {} or a toast shown to whoever clicked. */
export type EventAck = Record<string, never> | { toast: { type: 'info' | 'success' | 'warning' | 'error'; content: string } };

/** Where the SDK's dispatcher routes the kinds of event this channel handles. */
export interface EventRoutes {
  message(event: MessageEvent): EventAck;
  cardAction(event: CardActionEvent): EventAck;
  botAdded(event: BotAddedEvent): EventAck;
  botRemoved(event: ChatGoneEvent): EventAck;
  chatDisbanded(event: ChatGoneEvent): EventAck;
}
