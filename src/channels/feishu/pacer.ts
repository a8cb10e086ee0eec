/** A limit of `max` sends in any `windowMs`, per key ('chat' = per chat id, 'app' = one bucket). */
export interface RateLimit {
  scope: 'chat' | 'app';
  max: number;
  windowMs: number;
}

/**
 * Feishu's documented sending limits: 5 per second per chat (shared by every bot in a group),
 * and per app 50 per second and 1000 per minute.
 */
export const FEISHU_LIMITS: readonly RateLimit[] = [
  { scope: 'chat', max: 5, windowMs: 1000 },
  { scope: 'app', max: 50, windowMs: 1000 },
  { scope: 'app', max: 1000, windowMs: 60_000 },
];

export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realPacerClock: PacerClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Sliding-window pacing: `acquire(chat)` resolves when one more send to that chat stays within
 * every limit, and records it. Waiters for one chat are served in arrival order.
 */
export class Pacer {
  private readonly sent = new Map<string, number[]>();
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly limits: readonly RateLimit[] = FEISHU_LIMITS, private readonly clock: PacerClock = realPacerClock) {}

  acquire(chat: string): Promise<void> {
    const previous = this.queues.get(chat) ?? Promise.resolve();
    const mine = previous.then(() => this.waitForSlot(chat));
    const tail = mine.catch(() => undefined);
    this.queues.set(chat, tail);
    void tail.then(() => {
      if (this.queues.get(chat) === tail) this.queues.delete(chat);
    });
    return mine;
  }

  private bucket(limit: RateLimit, chat: string, index: number): string {
    return limit.scope === 'chat' ? `${index}\u241fchat\u241f${chat}` : `${index}\u241fapp`;
  }

  private async waitForSlot(chat: string): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      let wait = 0;
      this.limits.forEach((limit, i) => {
        const times = this.prune(this.bucket(limit, chat, i), now - limit.windowMs);
        if (times.length >= limit.max) wait = Math.max(wait, times[times.length - limit.max] + limit.windowMs - now);
      });
      if (wait <= 0) {
        // Checked and recorded in one synchronous step: no other waiter can slip in between.
        this.limits.forEach((limit, i) => this.record(this.bucket(limit, chat, i), now));
        return;
      }
      await this.clock.sleep(wait);
    }
  }

  private prune(key: string, before: number): number[] {
    const times = this.sent.get(key) ?? [];
    let drop = 0;
    while (drop < times.length && times[drop] <= before) drop++;
    const kept = drop ? times.slice(drop) : times;
    if (kept.length) this.sent.set(key, kept);
    else this.sent.delete(key);
    return kept;
  }

  private record(key: string, at: number): void {
    const times = this.sent.get(key);
    if (times) times.push(at);
    else this.sent.set(key, [at]);
  }
}
