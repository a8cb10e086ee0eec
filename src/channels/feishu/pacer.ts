/** A limit of `max` sends in any `windowMs`, per key ('chat' = per chat id, 'app' = one bucket). */
export interface RateLimit {
  scope: 'chat' | 'app';
  max: number;
  windowMs: number;
}

/**
 * Feishu's published sending limits: 5 per second per chat (shared by every bot in a group),
 * and per app 50 per second and 1000 per minute.
 */
export const FEISHU_PUBLISHED_LIMITS: readonly RateLimit[] = [
  { scope: 'chat', max: 5, windowMs: 1000 },
  { scope: 'app', max: 50, windowMs: 1000 },
  { scope: 'app', max: 1000, windowMs: 60_000 },
];

/**
 * What the pacer allows: about 80-90% of the published limits. Other bots in a group share its
 * 5 per second, and a margin keeps clock and network jitter from ever touching the real limit.
 */
export const FEISHU_LIMITS: readonly RateLimit[] = [
  { scope: 'chat', max: 4, windowMs: 1000 },
  { scope: 'app', max: 40, windowMs: 1000 },
  { scope: 'app', max: 900, windowMs: 60_000 },
];

/** Answers to people go before broadcast notices whenever both wait for the app's limit. */
export type SendPriority = 'answer' | 'broadcast';

export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realPacerClock: PacerClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const SWEEP_EVERY = 1000;

/** Called once the platform has answered the send (or it failed): from then on it counts by that time. */
export type Release = () => void;

interface Bucket {
  /** Sends granted whose answer has not come back yet: they may reach the platform at any moment. */
  inFlight: number;
  /** When each finished send's answer came back, oldest first. */
  done: number[];
  /** No sends before this time (the platform said so: x-ogw-ratelimit-reset). */
  pausedUntil: number;
}

/**
 * Sliding-window pacing measured where sends leave. A send counts from the moment it is granted
 * until a window after its answer came back, so however late the request leaves the process and
 * however long it travels, the platform never sees more than `max` in any window: the last of
 * any `max + 1` sends it saw was granted while the others were in flight or answered less than
 * a window before.
 *
 * `acquire(chat)` resolves, with a release function, when one more send to that chat stays
 * within every limit. Waiters for one chat are served in arrival order; broadcast sends wait
 * while answers wait for the app's limit.
 */
export class Pacer {
  private readonly buckets = new Map<string, Bucket>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private wakers: (() => void)[] = [];
  /** Answers waiting for a slot of an app-wide limit (broadcasts hold back while there are any). */
  private answersWaiting = 0;
  private releases = 0;

  constructor(private readonly limits: readonly RateLimit[] = FEISHU_LIMITS, private readonly clock: PacerClock = realPacerClock) {}

  acquire(chat: string, priority: SendPriority = 'answer'): Promise<Release> {
    const previous = this.queues.get(chat) ?? Promise.resolve();
    const mine = previous.then(() => this.waitForSlot(chat, priority));
    const tail = mine.catch(() => undefined);
    this.queues.set(chat, tail);
    void tail.then(() => {
      if (this.queues.get(chat) === tail) this.queues.delete(chat);
    });
    return mine;
  }

  /** The platform said "too frequent" and when to come back: no sends to that chat (or, for 'app', at all) before then. */
  pause(scope: 'chat' | 'app', chat: string, untilMs: number): void {
    this.limits.forEach((limit, i) => {
      if (limit.scope !== scope) return;
      const b = this.bucket(this.key(limit, chat, i));
      b.pausedUntil = Math.max(b.pausedUntil, untilMs);
    });
  }

  private key(limit: RateLimit, chat: string, index: number): string {
    return limit.scope === 'chat' ? `${index}\u241fchat\u241f${chat}` : `${index}\u241fapp`;
  }

  private bucket(key: string): Bucket {
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = { inFlight: 0, done: [], pausedUntil: 0 }));
    return b;
  }

  /** How long until one more send fits this bucket; Infinity: only a release can make room. */
  private waitFor(b: Bucket, limit: RateLimit, now: number): number {
    while (b.done.length && b.done[0] <= now - limit.windowMs) b.done.shift();
    const paused = b.pausedUntil - now;
    if (b.inFlight + b.done.length < limit.max) return Math.max(0, paused);
    if (b.inFlight >= limit.max) return Infinity;
    // The oldest answers that must age out of the window before one more send fits.
    const mustExpire = b.inFlight + b.done.length - limit.max;
    return Math.max(paused, b.done[mustExpire] + limit.windowMs - now);
  }

  private async waitForSlot(chat: string, priority: SendPriority): Promise<Release> {
    let countedAsWaiting = false;
    try {
      for (;;) {
        const now = this.clock.now();
        let wait = 0;
        let appBound = false;
        const keys = this.limits.map((limit, i) => {
          const key = this.key(limit, chat, i);
          const w = this.waitFor(this.bucket(key), limit, now);
          if (w > 0 && limit.scope === 'app') appBound = true;
          wait = Math.max(wait, w);
          return key;
        });
        if (priority === 'answer' && appBound !== countedAsWaiting) {
          this.answersWaiting += appBound ? 1 : -1;
          countedAsWaiting = appBound;
        }
        if (priority === 'broadcast' && this.answersWaiting > 0) wait = Math.max(wait, Infinity);
        if (wait <= 0) {
          // Checked and taken in one synchronous step: no other waiter can slip in between.
          for (const key of keys) this.bucket(key).inFlight++;
          return this.releaser(keys);
        }
        await this.nextChance(wait);
      }
    } finally {
      if (countedAsWaiting) {
        this.answersWaiting--;
        this.wake();
      }
    }
  }

  private releaser(keys: string[]): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const at = this.clock.now();
      for (const key of keys) {
        const b = this.bucket(key);
        b.inFlight--;
        b.done.push(at);
      }
      if (++this.releases % SWEEP_EVERY === 0) this.sweep(at);
      this.wake();
    };
  }

  /** Forgets chats with nothing in flight, nothing recent and no pause: one bucket per chat ever seen would only grow. */
  private sweep(now: number): void {
    const longest = Math.max(...this.limits.map((l) => l.windowMs));
    for (const [key, b] of this.buckets) {
      if (b.inFlight === 0 && b.pausedUntil <= now && (b.done.at(-1) ?? -Infinity) <= now - longest) this.buckets.delete(key);
    }
  }

  /** Until the wait is over or something was released, whichever comes first. */
  private nextChance(wait: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let settled = false;
      const go = () => {
        if (settled) return;
        settled = true;
        resolve();
      };
      this.wakers.push(go);
      if (Number.isFinite(wait)) void this.clock.sleep(wait).then(go);
    });
  }

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const w of wakers) w();
  }
}
