import type { ChannelHealth, ChannelState, ChannelStatus, Clock, Logger, StaffAlerts } from '../core/ports.js';
import type { Replies, ReplyKey } from '../dialog/replies.js';

export interface ChannelHealthDeps {
  clock: Clock;
  alerts: StaffAlerts;
  replies: Replies;
  log: Logger;
  /** A connection lost for longer than this is told to the staff (and its return too). */
  outageAlertMs: number;
  /** How often a lasting outage is checked against the clock. */
  pollMs?: number;
}

/** Every channel's connection state, and the outage alerts that follow from it. */
export interface ChannelHealthRegistry extends ChannelHealth {
  /** Each channel's state, in the order the channels first reported (the readiness view, metrics). */
  statuses(): ChannelStatus[];
  /** Sends the alerts that are due now; the poll calls it, tests may too. */
  check(): Promise<void>;
  start(): void;
  stop(): void;
}

const NAME_KEY: Record<string, ReplyKey> = { wechat: 'channelNameWechat', feishu: 'channelNameFeishu' };

interface Outage {
  /** When the connection was lost (the first "reconnecting" after being up). */
  since: number;
  alerted: boolean;
}

function minutes(ms: number): number {
  return Math.max(1, Math.round(ms / 60_000));
}

function beijingTime(at: number): string {
  return new Date(at).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
}

export function createChannelHealth(deps: ChannelHealthDeps): ChannelHealthRegistry {
  const { clock, log } = deps;
  const channels = new Map<string, ChannelStatus>();
  const outages = new Map<string, Outage>();
  let poll: NodeJS.Timeout | undefined;
  let checking = Promise.resolve();

  const label = (channel: string) => (NAME_KEY[channel] ? deps.replies.render(NAME_KEY[channel]) : channel);

  async function alert(text: string): Promise<void> {
    await deps.alerts.alert(text).catch((e: Error) => log.error({ err: e.message }, 'outage alert could not be sent'));
  }

  async function checkNow(): Promise<void> {
    const now = clock.now();
    for (const [channel, outage] of outages) {
      const status = channels.get(channel);
      if (status?.state === 'connected') {
        outages.delete(channel);
        if (outage.alerted) {
          log.info({ channel, downMs: now - outage.since }, 'channel connection restored after an outage');
          await alert(deps.replies.render('channelBack', { channel: label(channel), minutes: minutes(now - outage.since) }));
        }
      } else if (!outage.alerted && status?.state === 'reconnecting' && now - outage.since >= deps.outageAlertMs) {
        outage.alerted = true;
        log.error({ channel, since: new Date(outage.since).toISOString(), detail: status.detail }, 'CHANNEL DOWN: the connection is still lost; reconnecting');
        await alert(deps.replies.render('channelDown', {
          channel: label(channel), minutes: minutes(now - outage.since), since: beijingTime(outage.since), detail: status.detail ?? '原因未知',
        }));
      }
    }
  }

  /** Checks run one after another: two at once could both send the same alert. */
  function check(): Promise<void> {
    checking = checking.then(checkNow);
    return checking;
  }

  return {
    report(channel, state: ChannelState, detail) {
      const now = clock.now();
      const previous = channels.get(channel);
      if (previous && previous.state === state && previous.detail === detail) return;
      channels.set(channel, {
        channel, state, detail, since: previous?.state === state ? previous.since : now,
        lastEventAt: previous?.lastEventAt ?? null,
      });
      // An outage is a connection lost after it was up; a channel that never connected is the
      // start-up alert's business, and a logout has alerts of its own.
      if (state === 'reconnecting' && !outages.has(channel) && previous?.state === 'connected') {
        outages.set(channel, { since: now, alerted: false });
      }
      if (state === 'connected' || state === 'disabled') void check();
    },
    heard(channel) {
      const status = channels.get(channel);
      if (status) status.lastEventAt = clock.now();
    },
    statuses: () => [...channels.values()].map((s) => ({ ...s })),
    check,
    start() {
      poll = setInterval(() => void check(), deps.pollMs ?? 5_000);
      poll.unref();
    },
    stop() {
      if (poll) clearInterval(poll);
      poll = undefined;
    },
  };
}
