import { SendError, type BroadcastSender, type ChannelState, type OutgoingMessage, type StaffAlerts } from '../../core/ports.js';
import type { Replies } from '../../dialog/replies.js';
import { createBroadcastCommands } from '../../broadcast/commands.js';
import { createStaffCommands } from '../../staff/staff-commands.js';
import type { ChannelDeps } from '../channel.js';
import { SqliteCardStore } from './card-store.js';
import type { FeishuMessage } from './cards.js';
import { CHANNEL, createFeishuHandler, uuidFor } from './handler.js';
import type { FeishuChannel } from './index.js';
import { createFeishuApi, createFeishuDispatcher, FeishuApiError, type LongConnection } from './lark.js';
import { FeishuSender, isRetryable } from './sender.js';
import type { FeishuSettings } from './settings.js';
import { webhookRoutes } from './webhook.js';

/** Re-delivered event ids are remembered this long (Feishu re-pushes for up to 6 h; the table is shared with WeChat). */
const EVENT_RETENTION_MS = 48 * 3_600_000;
/** Schema 2.0 cards take clicks for 14 days. */
const CARD_RETENTION_MS = 15 * 86_400_000;
const HOUSEKEEPING_MS = 3_600_000;
/** How long stop() waits for answers still being sent (main gives the whole stop 10 s). */
const STOP_DRAIN_MS = 5_000;
/** After the SDK gives up on the long connection (bad credentials, exhausted retries), it is opened anew this often. */
const LONG_CONNECTION_RETRY_MS = 60_000;
/** Identical staff alerts within this window are sent once (the uuid repeats; Feishu drops repeats for an hour). */
const ALERT_DEDUPE_MS = 10 * 60_000;

/** A broadcast notice as Feishu shows it: a card under the notice's title, or plain text without one. */
function noticeMessage(message: OutgoingMessage, replies: Replies): FeishuMessage {
  if (!message.title) return { kind: 'text', text: message.text };
  // The rendered notice starts with its title line; the card's header shows it already.
  const titleLine = replies.render('broadcastTitle', { title: message.title });
  const body = message.text.startsWith(titleLine) ? message.text.slice(titleLine.length).trimStart() : message.text;
  return { kind: 'card', card: { title: message.title, colour: 'orange', body } };
}

/** The Feishu channel for validated settings (index.ts decides whether it is configured). */
export function buildFeishuChannel(settings: FeishuSettings, deps: ChannelDeps): FeishuChannel {
  const { log, clock, replies } = deps;
  const api = createFeishuApi(settings, log);
  let botId: Promise<string> | undefined;
  // Asked for by every group message: fetched once, and again only after a failure.
  const botOpenId = () => (botId ??= api.botOpenId().catch((e: Error) => {
    botId = undefined;
    throw e;
  }));
  const sender = new FeishuSender({ api, log, onError: (e) => deps.metrics?.platformError(CHANNEL, e.code === -1 ? `http_${e.status ?? 'none'}` : String(e.code)) });
  const cards = new SqliteCardStore(deps.db);
  const staff = createStaffCommands({
    stats: deps.questionStats, replies, clock, measureName: (id) => deps.doc.displayName(id), policyStatus: deps.policyStatus,
  });
  const broadcastCommands = deps.broadcasts && deps.roles
    ? createBroadcastCommands({ broadcasts: deps.broadcasts, roles: deps.roles, replies })
    : undefined;
  const handler = createFeishuHandler({
    engine: deps.engine, doc: deps.doc, replies, chats: deps.chats, events: deps.events, clock, log,
    sender, api: { botOpenId, chatInfo: (id) => api.chatInfo(id) }, cards, staff, staffIds: settings.staff, broadcasts: broadcastCommands,
  });
  // Every event is a sign the platform reaches us (the readiness view's "last event").
  const dispatcher = createFeishuDispatcher({
    message: (e) => (deps.health?.heard(CHANNEL), handler.message(e)),
    cardAction: (e) => (deps.health?.heard(CHANNEL), handler.cardAction(e)),
    botAdded: (e) => (deps.health?.heard(CHANNEL), handler.botAdded(e)),
    botRemoved: (e) => (deps.health?.heard(CHANNEL), handler.botRemoved(e)),
    chatDisbanded: (e) => (deps.health?.heard(CHANNEL), handler.chatDisbanded(e)),
  }, log);
  let connection: LongConnection | undefined;
  let housekeeping: NodeJS.Timeout | undefined;
  let reopen: NodeJS.Timeout | undefined;
  let stopped = false;
  const health = (state: ChannelState, detail?: string) => deps.health?.report(CHANNEL, state, detail);

  /** Opens the long connection and keeps it open: the SDK reconnects; after it gives up, this does. */
  async function openLongConnection(): Promise<void> {
    reopen = undefined;
    if (stopped) return;
    connection?.stop();
    connection = dispatcher.longConnection(settings, {
      ready: () => {
        health('connected');
        deps.health?.heard(CHANNEL);
      },
      lost: () => health('reconnecting', 'the long connection to Feishu dropped'),
      restored: () => {
        health('connected');
        deps.health?.heard(CHANNEL);
      },
      gaveUp: (reason) => {
        health('reconnecting', `the SDK gave up (${reason}); opening it again in ${LONG_CONNECTION_RETRY_MS / 1000} s`);
        if (stopped || reopen) return;
        reopen = setTimeout(() => void openLongConnection(), LONG_CONNECTION_RETRY_MS);
        reopen.unref();
      },
    });
    await connection.start();
  }

  const tidy = () => {
    deps.events.prune(clock.now() - EVENT_RETENTION_MS);
    cards.prune(clock.now() - CARD_RETENTION_MS);
  };

  const staffAlerts: StaffAlerts | undefined = settings.staffChat
    ? {
      async alert(text) {
        const now = clock.now();
        try {
          await sender.sendToChat(settings.staffChat!, { kind: 'text', text: replies.render('feishuStaffAlert', { text }) },
            uuidFor('alert', text, String(Math.floor(now / ALERT_DEDUPE_MS))));
        } catch (e) {
          log.error({ err: (e as Error).message }, 'staff alert could not be sent to Feishu');
        }
      },
    }
    : undefined;

  const broadcastSender: BroadcastSender = {
    channel: CHANNEL,
    idempotent: true,
    async send(chatId, message, deliveryId) {
      try {
        await sender.sendToChat(chatId, noticeMessage(message, replies), deliveryId, 'broadcast');
      } catch (e) {
        // Retries for "too frequent" already happened here; another try later may still work.
        const transient = !(e instanceof FeishuApiError) || isRetryable(e);
        throw new SendError(transient ? 'transient' : 'permanent', (e as Error).message);
      }
    },
  };

  log.info({ mode: settings.mode, domain: settings.domain, staff: settings.staff.size, staffChat: !!settings.staffChat }, 'feishu channel configured');
  const channel: FeishuChannel = {
    name: CHANNEL,
    ...(settings.mode === 'webhook'
      ? { routes: webhookRoutes({ settings, dispatch: (body) => dispatcher.dispatch(body), clock, log }) }
      : {}),
    staffAlerts,
    broadcastSender,
    async broadcastFinished(view, chatId) {
      if (!broadcastCommands) return;
      await sender.sendToChat(chatId, { kind: 'card', card: { title: replies.render('broadcastSummaryTitle'), colour: 'green', body: broadcastCommands.summary(view) } },
        uuidFor('broadcast-summary', view.id));
    },
    send: (chatId, message, uuid) => sender.sendToChat(chatId, message, uuid),
    dispatch: (event) => dispatcher.dispatch(event),
    drain: () => handler.drain(),
    async start() {
      tidy();
      housekeeping = setInterval(tidy, HOUSEKEEPING_MS);
      housekeeping.unref();
      // Learn the bot's open_id early (group mentions need it); a failure is retried on demand.
      botOpenId().catch((e: Error) => log.warn({ err: e.message }, 'feishu bot info unavailable for now'));
      if (settings.mode === 'ws') {
        health('starting');
        await openLongConnection();
      } else {
        // Webhooks: Feishu calls in; there is no connection of ours to lose.
        health('connected');
      }
    },
    async stop() {
      stopped = true;
      if (housekeeping) clearInterval(housekeeping);
      if (reopen) clearTimeout(reopen);
      connection?.stop();
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        handler.drain().then(() => true),
        new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), STOP_DRAIN_MS); }),
      ]);
      clearTimeout(timer);
      // Those events were acknowledged already: Feishu will not deliver them again.
      if (!drained) log.warn({ waitedMs: STOP_DRAIN_MS }, 'feishu stopped with answers still being sent');
    },
  };
  return channel;
}
