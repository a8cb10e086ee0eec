// Sending within Feishu's limits, on a fake clock: no sleeping, no timing in the assertions.
import { describe, expect, it } from 'vitest';
import { FeishuApiError, type FeishuApi } from '../../../src/channels/feishu/lark.js';
import { FEISHU_LIMITS, Pacer, type PacerClock } from '../../../src/channels/feishu/pacer.js';
import { backoff, DEFAULT_RETRY, FeishuSender } from '../../../src/channels/feishu/sender.js';

/** A clock whose sleep moves time forward instead of waiting. */
function fakeClock(): PacerClock & { sleeps: number[] } {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

/**
 * Virtual time for many concurrent waiters: time moves to the earliest timer only once every
 * waiter has had its turn, so what a waiter reads from now() is the time it was let through.
 */
function virtualClock(): PacerClock & { run<T>(work: Promise<T>): Promise<T> } {
  let now = 1_000_000;
  const timers: { at: number; resolve: () => void }[] = [];
  return {
    now: () => now,
    sleep: (ms) => new Promise<void>((resolve) => timers.push({ at: now + ms, resolve })),
    async run(work) {
      let done = false;
      void work.then(() => (done = true), () => (done = true));
      for (;;) {
        await new Promise((r) => setImmediate(r));
        if (done || !timers.length) return work;
        timers.sort((a, b) => a.at - b.at);
        const next = timers.shift()!;
        now = Math.max(now, next.at);
        next.resolve();
      }
    },
  };
}

const maxInAnyWindow = (times: number[], windowMs: number) =>
  Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length));

const silent = { info() {}, warn() {}, error() {}, debug() {} };

describe('Pacer', () => {
  it('keeps one chat at 4 sends per second (under Feishu\'s 5), in arrival order, without holding up other chats', async () => {
    const clock = virtualClock();
    const pacer = new Pacer(FEISHU_LIMITS, clock);
    const sent: { chat: string; n: number; at: number }[] = [];
    const send = (chat: string, n: number) => pacer.acquire(chat).then((release) => {
      sent.push({ chat, n, at: clock.now() });
      release();
    });
    await clock.run(Promise.all([...Array.from({ length: 12 }, (_, n) => send('oc_a', n)), send('oc_b', 0)]));
    const a = sent.filter((s) => s.chat === 'oc_a');
    expect(a.map((s) => s.n)).toEqual([...Array(12).keys()]);
    expect(maxInAnyWindow(a.map((s) => s.at), 1000)).toBe(4);
    expect(sent.find((s) => s.chat === 'oc_b')!.at).toBe(1_000_000);
  });

  it('keeps the whole app at 40 sends per second across chats (under Feishu\'s 50)', async () => {
    const clock = virtualClock();
    const pacer = new Pacer(FEISHU_LIMITS, clock);
    const times: number[] = [];
    await clock.run(Promise.all(Array.from({ length: 120 }, (_, n) => pacer.acquire(`oc_${n}`).then((release) => {
      times.push(clock.now());
      release();
    }))));
    expect(times).toHaveLength(120);
    expect(maxInAnyWindow(times, 1000)).toBe(40);
  });

  it('counts a send until a window after its answer: slow requests that arrive together still fit the limit', async () => {
    const clock = virtualClock();
    const pacer = new Pacer([{ scope: 'app', max: 4, windowMs: 1000 }], clock);
    const arrivals: number[] = [];
    // Each request takes 700 ms to reach the platform and answers at once: grant-time counting
    // would let 8 arrive within one second.
    const send = (n: number) => pacer.acquire(`oc_${n}`).then(async (release) => {
      await clock.sleep(700);
      arrivals.push(clock.now());
      release();
    });
    await clock.run(Promise.all(Array.from({ length: 12 }, (_, n) => send(n))));
    expect(arrivals).toHaveLength(12);
    expect(maxInAnyWindow(arrivals, 1000)).toBeLessThanOrEqual(4);
  });

  it('serves answers before broadcast notices waiting for the app\'s limit', async () => {
    const clock = virtualClock();
    const pacer = new Pacer([{ scope: 'app', max: 2, windowMs: 1000 }], clock);
    const order: string[] = [];
    const send = (what: string, priority: 'answer' | 'broadcast') => pacer.acquire(`oc_${what}`, priority).then((release) => {
      order.push(what);
      release();
    });
    await clock.run(Promise.all([
      send('notice1', 'broadcast'), send('notice2', 'broadcast'), send('notice3', 'broadcast'), send('notice4', 'broadcast'),
      send('answer1', 'answer'), send('answer2', 'answer'), send('answer3', 'answer'),
    ]));
    // The first two notices had the window to themselves; after that every answer goes first.
    expect(order).toEqual(['notice1', 'notice2', 'answer1', 'answer2', 'answer3', 'notice3', 'notice4']);
  });

  it('sends nothing to a chat before the time Feishu named', async () => {
    const clock = virtualClock();
    const pacer = new Pacer(FEISHU_LIMITS, clock);
    pacer.pause('chat', 'oc_a', 1_003_000);
    const at: Record<string, number> = {};
    await clock.run(Promise.all(['oc_a', 'oc_b'].map((chat) => pacer.acquire(chat).then((release) => {
      at[chat] = clock.now();
      release();
    }))));
    expect(at).toEqual({ oc_a: 1_003_000, oc_b: 1_000_000 });
  });
});

describe('FeishuSender', () => {
  function stubApi(failures: FeishuApiError[]): FeishuApi & { calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      async send(_target, _type, _content, uuid) {
        calls.push(uuid);
        const failure = failures.shift();
        if (failure) throw failure;
        return 'om_1';
      },
      async patch() {},
      async botOpenId() { return 'ou_bot'; },
      async chatInfo() { return { name: '', members: 0 }; },
    };
  }

  it('retries "too frequent" with the same uuid and backs off a little more each time', async () => {
    const clock = fakeClock();
    const api = stubApi([new FeishuApiError(230020, 400, 'chat limit'), new FeishuApiError(99991400, 429, 'app limit'), new FeishuApiError(-1, 429, 'limit')]);
    const sender = new FeishuSender({ api, log: silent, clock, random: () => 1 });
    expect(await sender.sendToChat('oc_a', { kind: 'text', text: '你好' }, 'uuid-1')).toBe('om_1');
    expect(api.calls).toEqual(['uuid-1', 'uuid-1', 'uuid-1', 'uuid-1']);
    expect(clock.sleeps.filter((ms) => ms >= 500)).toEqual([500, 1000, 2000]);
  });

  it('gives up after the last attempt, and at once on an error a retry cannot fix', async () => {
    const limited = () => new FeishuApiError(230020, 400, 'chat limit');
    const stubborn = stubApi(Array.from({ length: 10 }, limited));
    await expect(new FeishuSender({ api: stubborn, log: silent, clock: fakeClock() }).sendToChat('oc_a', { kind: 'text', text: 'x' }, 'u')).rejects.toThrow('chat limit');
    expect(stubborn.calls).toHaveLength(DEFAULT_RETRY.attempts);

    const notInChat = stubApi([new FeishuApiError(230002, 400, 'bot is not in the chat')]);
    await expect(new FeishuSender({ api: notInChat, log: silent, clock: fakeClock() }).sendToChat('oc_a', { kind: 'text', text: 'x' }, 'u')).rejects.toThrow('not in the chat');
    expect(notInChat.calls).toHaveLength(1);
  });

  it('holds every send of the app until the time x-ogw-ratelimit-reset named after an app-wide refusal', async () => {
    const clock = virtualClock();
    const sentAt: Record<string, number> = {};
    let refused = false;
    const api: FeishuApi = {
      async send(target) {
        const chat = 'chatId' in target ? target.chatId : target.replyTo;
        if (!refused) {
          refused = true;
          throw new FeishuApiError(99991400, 429, 'app limit', 3000);
        }
        sentAt[chat] ??= clock.now();
        return 'om_1';
      },
      async patch() {},
      async botOpenId() { return 'ou_bot'; },
      async chatInfo() { return { name: '', members: 0 }; },
    };
    const sender = new FeishuSender({ api, log: silent, clock, random: () => 0 });
    await clock.run((async () => {
      await Promise.all([
        sender.sendToChat('oc_a', { kind: 'text', text: '一' }, 'u-a'),
        // Asked for after the refusal: another chat, yet it waits for the app's window too.
        clock.sleep(10).then(() => sender.sendToChat('oc_b', { kind: 'text', text: '二' }, 'u-b')),
      ]);
    })());
    expect(sentAt.oc_a).toBeGreaterThanOrEqual(1_003_000);
    expect(sentAt.oc_b).toBeGreaterThanOrEqual(1_003_000);
  });

  it('refuses a uuid Feishu would not take', async () => {
    const sender = new FeishuSender({ api: stubApi([]), log: silent, clock: fakeClock() });
    await expect(sender.sendToChat('oc_a', { kind: 'text', text: 'x' }, 'u'.repeat(51))).rejects.toThrow('1-50 characters');
  });
});

describe('backoff', () => {
  it('grows exponentially with jitter between half and all of the step, capped, honouring the reset header', () => {
    expect(backoff(0, DEFAULT_RETRY, () => 0)).toBe(250);
    expect(backoff(0, DEFAULT_RETRY, () => 1)).toBe(500);
    expect(backoff(3, DEFAULT_RETRY, () => 1)).toBe(4000);
    expect(backoff(10, DEFAULT_RETRY, () => 1)).toBe(DEFAULT_RETRY.maxMs);
    expect(backoff(0, DEFAULT_RETRY, () => 0, 3000)).toBe(3000);
  });
});
