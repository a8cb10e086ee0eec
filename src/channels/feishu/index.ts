import type { Channel, ChannelFactory } from '../channel.js';
import type { FeishuMessage } from './cards.js';
import { missingCredential, readFeishuSettings } from './settings.js';

export type { CardButton, CardSpec, FeishuMessage, HeaderColour } from './cards.js';

export interface FeishuChannel extends Channel {
  readonly name: 'feishu';
  /**
   * Sends a text or a card to a chat id, paced with everything else this channel sends and
   * retried on "too frequent"; `uuid` (1-50 characters) makes a resend within an hour a no-op.
   * Resolves to the new message's id. Rejects with the platform's error after the retries.
   */
  send(chatId: string, message: FeishuMessage, uuid: string): Promise<string>;
  /** The event handler both modes use, as the long connection calls it (tests drive it directly). */
  dispatch(event: object): Promise<unknown>;
  /** Resolves when the events acknowledged so far have been handled. */
  drain(): Promise<void>;
}

export function isFeishuChannel(c: Channel): c is FeishuChannel {
  return c.name === 'feishu' && typeof (c as FeishuChannel).send === 'function';
}

/** Feishu through @larksuiteoapi/node-sdk: enabled by FEISHU_APP_ID and FEISHU_APP_SECRET. */
export const createFeishuChannel: ChannelFactory = async (env, deps) => {
  const settings = readFeishuSettings(env);
  if (!settings) {
    deps.log.info(`feishu channel disabled: ${missingCredential(env)}`);
    return null;
  }
  // The Lark SDK costs about half a second and 60 MB at start: loaded only when configured.
  const { buildFeishuChannel } = await import('./feishu-channel.js');
  return buildFeishuChannel(settings, deps);
};
