import type { Clock, Logger, StaffAlerts } from '../core/ports.js';
import type { Replies } from '../dialog/replies.js';
import { pauseBefore, type Pacing } from './pacing.js';
import { SendError, type BroadcastRecord, type BroadcastSender, type Outbox } from './ports.js';

export interface WorkerDeps {
  outbox: Outbox;
  senders: BroadcastSender[];
  pacing: Record<string, Pacing>;
  clock: Clock;
  random: () => number;
  /** Resolves after ms, or at once when the signal aborts (stop). Tests pass a fake. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  alerts: StaffAlerts;
  log: Logger;
  replies: Replies;
  render: (b: BroadcastRecord) => string;
  /** How long a platform that said "too frequent" is left alone. */
  haltMs: number;
  /** Attempts for a delivery on a platform where resending is safe. */
  maxAttempts: number;
  /** Told once when a broadcast has nothing left to send (its summary goes to whoever composed it). */
  onFinished?: (broadcastId: string) => Promise<void>;
}

export interface BroadcastWorker {
  /** After a restart: resumes what can be resumed, reports what cannot. */
  recover(): Promise<void>;
  /** Starts due broadcasts and the per-channel send loops; resolves when those loops are idle (tests). */
  tick(): Promise<void>;
  start(pollMs: number): void;
  stop(): Promise<void>;
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

export function createBroadcastWorker(deps: WorkerDeps): BroadcastWorker {
  const { outbox, clock, log } = deps;
  const running = new Map<string, Promise<void>>();
  let abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;

  async function finishIfComplete(id: string) {
    if (outbox.unfinishedCount(id) !== 0 || !outbox.finish(id, clock.now())) return;
    await reportProblems(id);
    if (deps.onFinished) {
      await deps.onFinished(id).catch((e: Error) => log.error({ err: e.message, broadcast: id }, 'broadcast summary could not be sent'));
    }
  }

  /** Groups a finished broadcast did not surely reach are told to the staff, wherever it was composed. */
  async function reportProblems(id: string) {
    const deliveries = outbox.deliveries(id);
    const failed = deliveries.filter((d) => d.status === 'failed');
    const uncertain = deliveries.filter((d) => d.status === 'uncertain');
    if (!failed.length && !uncertain.length) return;
    const names = (list: typeof deliveries) => list.map((d) => d.chatName || d.chatId).join('、') || '无';
    const title = outbox.broadcast(id)?.title ?? deps.replies.render('broadcastUntitled');
    log.warn({ broadcast: id, failed: failed.length, uncertain: uncertain.length }, 'broadcast finished with groups not surely reached');
    await deps.alerts.alert(deps.replies.render('broadcastEndedWithProblems', {
      id, title, failed: failed.length, uncertain: uncertain.length, failedChats: names(failed), uncertainChats: names(uncertain),
    })).catch((e: Error) => log.error({ err: e.message, broadcast: id }, 'broadcast problem alert could not be sent'));
  }

  /** One account, one serial queue: a channel's deliveries go out one at a time, paced. */
  async function runChannel(sender: BroadcastSender): Promise<void> {
    const channel = sender.channel;
    let sent = 0;
    while (!abort.signal.aborted) {
      // A channel that cannot send keeps its deliveries queued; the next poll looks again.
      if (sender.available && !sender.available()) return;
      const haltedUntil = outbox.haltedUntil(channel);
      if (haltedUntil !== undefined && haltedUntil > clock.now()) return;
      const next = outbox.nextQueued(channel);
      if (!next) return;
      const wait = pauseBefore(sent, deps.pacing[channel] ?? { minGapMs: 0, maxGapMs: 0, longPauseEvery: 0, longPauseMs: 0 }, deps.random);
      if (wait > 0) await deps.sleep(wait, abort.signal);
      if (abort.signal.aborted) return;
      const broadcast = outbox.broadcast(next.broadcastId);
      // Cancelled while we waited: its queued rows are already marked cancelled.
      if (!broadcast || broadcast.status !== 'sending' || !broadcast.rendered) continue;
      outbox.mark(next.id, 'sending', clock.now());
      try {
        await sender.send(next.chatId, { title: broadcast.title ?? undefined, text: broadcast.rendered }, next.id);
        outbox.mark(next.id, 'sent', clock.now());
        sent++;
      } catch (e) {
        const error = e as Error;
        const kind = e instanceof SendError ? e.kind : 'transient';
        log.warn({ channel, chat: next.chatId, delivery: next.id, kind, err: error.message }, 'broadcast delivery failed');
        if (kind === 'unavailable') {
          // Nothing left the service: the same delivery goes out once the channel is back.
          outbox.mark(next.id, 'queued', clock.now(), error.message);
          return;
        }
        if (kind === 'blocked') {
          // The platform refused before sending: safe to queue again, after a long rest.
          outbox.mark(next.id, 'queued', clock.now(), error.message);
          const until = clock.now() + deps.haltMs;
          outbox.halt(channel, until, error.message);
          await deps.alerts.alert(deps.replies.render('broadcastHalted', { until: new Date(until).toISOString(), reason: error.message }));
          return;
        }
        if (kind === 'permanent') outbox.mark(next.id, 'failed', clock.now(), error.message);
        else if (!sender.idempotent) outbox.mark(next.id, 'uncertain', clock.now(), error.message);
        else outbox.mark(next.id, next.attempts + 1 >= deps.maxAttempts ? 'failed' : 'queued', clock.now(), error.message);
      }
      await finishIfComplete(next.broadcastId);
    }
  }

  /** Starts due broadcasts and any idle channel loop; never waits for sending. */
  function pump(): void {
    for (const b of outbox.due(clock.now())) {
      if (b.status === 'scheduled') outbox.startSending(b.id, deps.render(b));
      void finishIfComplete(b.id);
    }
    for (const sender of deps.senders) {
      if (!running.has(sender.channel)) {
        running.set(sender.channel, runChannel(sender)
          .catch((e: Error) => log.error({ err: e, channel: sender.channel }, 'broadcast loop crashed'))
          .finally(() => running.delete(sender.channel)));
      }
    }
  }

  async function tick(): Promise<void> {
    pump();
    await Promise.all(running.values());
  }

  return {
    async recover() {
      const idempotent = deps.senders.filter((s) => s.idempotent).map((s) => s.channel);
      const uncertain = outbox.recoverInterrupted(idempotent, clock.now());
      if (uncertain.length) {
        const chats = uncertain.map((d) => d.chatName || d.chatId).join('、');
        await deps.alerts.alert(deps.replies.render('broadcastUncertain', { count: uncertain.length, chats }));
      }
    },
    tick,
    start(pollMs) {
      abort = new AbortController();
      timer = setInterval(pump, pollMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      abort.abort();
      await Promise.all(running.values());
    },
  };
}
