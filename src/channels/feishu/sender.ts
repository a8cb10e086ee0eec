import type { Logger } from '../../core/ports.js';
import { cardJson, encodeMessage, type CardSpec, type FeishuMessage } from './cards.js';
import { FeishuApiError, type FeishuApi, type Target } from './lark.js';
import { Pacer, realPacerClock, type PacerClock, type SendPriority } from './pacer.js';

/** Feishu's "too frequent" answers: the chat's limit (HTTP 400) and the app's (HTTP 429). */
export const CHAT_RATE_LIMITED = 230020;
export const APP_RATE_LIMITED = 99991400;

export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 500, maxMs: 10_000 };

export function isRateLimited(e: FeishuApiError): boolean {
  return e.code === CHAT_RATE_LIMITED || e.code === APP_RATE_LIMITED || e.status === 429;
}

/**
 * Worth another try: rate limits, Feishu's server errors and no answer at all. Safe to repeat
 * because every message carries a uuid (Feishu drops a repeat within an hour) and a card update
 * sets the same content again.
 */
export function isRetryable(e: FeishuApiError): boolean {
  return isRateLimited(e) || e.status === undefined || e.status >= 500;
}

/** The wait before retry n (0 = the first retry): exponential, capped, with jitter ("equal jitter"). */
export function backoff(n: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** n);
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.round(Math.max(jittered, Math.min(retryAfterMs ?? 0, 60_000)));
}

export interface SenderDeps {
  api: FeishuApi;
  log: Logger;
  pacer?: Pacer;
  clock?: PacerClock;
  random?: () => number;
  retry?: RetryPolicy;
  /** Every refusal or failed call, retried or not (metrics). */
  onError?: (error: FeishuApiError) => void;
}

/** Sends within Feishu's limits: paced per chat and per app, retried with backoff on "too frequent". */
export class FeishuSender {
  private readonly pacer: Pacer;
  private readonly clock: PacerClock;
  private readonly random: () => number;
  private readonly retry: RetryPolicy;

  constructor(private readonly deps: SenderDeps) {
    this.clock = deps.clock ?? realPacerClock;
    this.pacer = deps.pacer ?? new Pacer(undefined, this.clock);
    this.random = deps.random ?? Math.random;
    this.retry = deps.retry ?? DEFAULT_RETRY;
  }

  /** A new message in a chat; resolves to its message id. Broadcast notices give way to answers. */
  sendToChat(chatId: string, message: FeishuMessage, uuid: string, priority: SendPriority = 'answer'): Promise<string> {
    return this.deliver(chatId, { chatId }, message, uuid, priority);
  }

  /** A reply quoting a message of that chat (the user's question, or the card clicked). */
  reply(chatId: string, messageId: string, message: FeishuMessage, uuid: string): Promise<string> {
    return this.deliver(chatId, { replyTo: messageId }, message, uuid);
  }

  /** Redraws a card in place. */
  patch(chatId: string, messageId: string, card: CardSpec): Promise<void> {
    const content = JSON.stringify(cardJson(card));
    return this.withRetries(chatId, 'update card', () => this.deps.api.patch(messageId, content));
  }

  private async deliver(chatId: string, target: Target, message: FeishuMessage, uuid: string, priority: SendPriority = 'answer'): Promise<string> {
    if (!uuid || uuid.length > 50) throw new Error(`a Feishu message uuid must be 1-50 characters, got ${uuid.length}`);
    const { msgType, content } = encodeMessage(message);
    return this.withRetries(chatId, 'send', () => this.deps.api.send(target, msgType, content, uuid), priority);
  }

  private async withRetries<T>(chatId: string, what: string, op: () => Promise<T>, priority: SendPriority = 'answer'): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const release = await this.pacer.acquire(chatId, priority);
      let error: FeishuApiError;
      try {
        const result = await op();
        release();
        return result;
      } catch (e) {
        release();
        error = e instanceof FeishuApiError ? e : new FeishuApiError(-1, undefined, (e as Error).message);
      }
      this.deps.onError?.(error);
      // Feishu says when its window opens again: every send waits for it, not only this one.
      if (isRateLimited(error) && error.retryAfterMs) {
        this.pacer.pause(error.code === CHAT_RATE_LIMITED ? 'chat' : 'app', chatId, this.clock.now() + Math.min(error.retryAfterMs, 60_000));
      }
      if (!isRetryable(error) || attempt + 1 >= this.retry.attempts) throw error;
      const wait = backoff(attempt, this.retry, this.random, error.retryAfterMs);
      this.deps.log.warn({ chat: chatId, code: error.code, status: error.status, attempt: attempt + 1, waitMs: wait }, `feishu ${what} refused; retrying`);
      await this.clock.sleep(wait);
    }
  }
}
