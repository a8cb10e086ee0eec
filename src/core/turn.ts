/** One incoming message, as every channel turns its SDK event into. */
export interface Turn {
  channel: string; // "http" | "terminal" | "wechat" | "feishu"
  chat: string; // group or private chat id; with user it names one conversation
  user: string;
  text: string;
  /** Milliseconds since epoch when the platform says the message was sent. */
  at: number;
  /** The bot was addressed (private chat, or @-mentioned in a group). */
  mentioned: boolean;
  /** Display name to mention back in a group, when the channel knows it. */
  userName?: string;
  /** The message came from a group chat: the dialog keeps groups quiet. */
  group?: boolean;
  /**
   * The chat id of this user's one-to-one chat with the bot on the same channel, when the
   * channel has one: an eligibility check begun in a group can move there.
   */
  privateChat?: string;
}

/** A conversation's identity: two users in one group never share a dialog. */
export function conversationKey(turn: Pick<Turn, 'channel' | 'chat' | 'user'>): string {
  return `${turn.channel}\u241f${turn.chat}\u241f${turn.user}`;
}
