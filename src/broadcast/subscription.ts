import type { ChatRegistry } from '../core/ports.js';
import type { Replies } from '../dialog/replies.js';

/** Group commands (after the @) that every channel understands: the words the docs and replies advertise. */
const COMMANDS = new Map([['订阅通知', true], ['退订通知', false]]);

/** true for "订阅通知", false for "退订通知" (trailing punctuation allowed), undefined for anything else. */
export function subscriptionCommand(text: string): boolean | undefined {
  return COMMANDS.get(text.trim().replace(/[\s。.!！]+$/, ''));
}

export interface SubscriptionRequest {
  channel: string;
  chat: string;
  subscribe: boolean;
  /** Whether the sender may decide for the group (owner, admin, configured staff): each channel knows its own. */
  allowed: boolean;
}

/** Applies a group's (un)subscription if the sender may, and returns what to answer in the group. */
export function changeSubscription(chats: ChatRegistry, replies: Replies, request: SubscriptionRequest): string {
  if (!request.allowed) return replies.render('wechatSubscriptionRefused');
  chats.setSubscribed(request.channel, request.chat, request.subscribe);
  return replies.render(request.subscribe ? 'wechatSubscribed' : 'wechatUnsubscribed');
}
