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
  it('keeps one chat at 5 sends per second, in arrival order, without holding up other chats', async () => {
    const clock = virtualClock();
    const pacer = new Pacer(FEISHU_LIMITS, clock);
    const sent: { chat: string; n: number; at: number }[] = [];
    await clock.run(Promise.all([
      ...Array.from({ length: 12 }, (_, n) => pacer.acquire('oc_a').then(() => sent.push({ chat: 'oc_a', n, at: clock.now() }))),
      pacer.acquire('oc_b').then(() => sent.push({ chat: 'oc_b', n: 0, at: clock.now() })),
    ]));
    const a = sent.filter((s) => s.chat === 'oc_a');
    expect(a.map((s) => s.n)).toEqual([...Array(12).keys()]);
    expect(maxInAnyWindow(a.map((s) => s.at), 1000)).toBe(5);
    expect(sent.find((s) => s.chat === 'oc_b')!.at).toBe(1_000_000);
  });

  it('keeps the whole app at 50 sends per second across chats', async () => {
    const clock = virtualClock();
    const pacer = new Pacer(FEISHU_LIMITS, clock);
    const times: number[] = [];
    await clock.run(Promise.all(Array.from({ length: 120 }, (_, n) => pacer.acquire(`oc_${n}`).then(() => times.push(clock.now())))));
    expect(times).toHaveLength(120);
    expect(maxInAnyWindow(times, 1000)).toBe(50);
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
