import { randomUUID } from 'node:crypto';
import type { PolicyDocument } from '../../policy/index.js';
import type { AuditLog } from '../admin/ports.js';
import type { ChatRegistry, Clock } from '../core/ports.js';
import { todayIn } from '../dialog/answers.js';
import type { Replies } from '../dialog/replies.js';
import { selectAudience, type Skipped } from './audience.js';
import type { BroadcastRecord, DeliveryRecord, DeliveryStatus, Outbox, Targets } from './ports.js';
import { renderBroadcast } from './render.js';

export interface BroadcastInput {
  text: string;
  title?: string;
  measures?: string[];
  targets: Targets;
  /** Epoch ms; absent or past: now. */
  at?: number;
  /** Where it was composed ("feishu:<chat id>"), for the summary. */
  origin?: string;
}

export interface BroadcastCreated {
  id: string;
  status: BroadcastRecord['status'];
  targets: number;
  skipped: Skipped[];
}

export interface BroadcastView {
  id: string;
  title: string | null;
  status: BroadcastRecord['status'];
  scheduledAt: string;
  createdBy: string;
  origin: string | null;
  text: string;
  counts: Record<DeliveryStatus, number>;
  deliveries: { channel: string; chat: string; name: string; status: DeliveryStatus; attempts: number; error: string | null }[];
}

export interface BroadcastPreview {
  text: string;
  targets: number;
  skipped: Skipped[];
  byChannel: Record<string, number>;
}

export class BroadcastInputError extends Error {
  readonly code = 'BROADCAST_INVALID';
}

export interface BroadcastServiceDeps {
  outbox: Outbox;
  chats: ChatRegistry;
  audit: AuditLog;
  clock: Clock;
  doc: PolicyDocument;
  replies: Replies;
}

export interface BroadcastService {
  preview(input: BroadcastInput): BroadcastPreview;
  create(input: BroadcastInput, actor: string): BroadcastCreated;
  view(id: string): BroadcastView | undefined;
  recent(limit: number): BroadcastView[];
  cancel(id: string, actor: string): boolean;
  /** Renders a broadcast's text with today's date (used when it starts sending). */
  render(b: Pick<BroadcastRecord, 'title' | 'text' | 'measures'>): string;
}

const STATUSES: DeliveryStatus[] = ['queued', 'sending', 'sent', 'failed', 'uncertain', 'skipped', 'cancelled'];

export function createBroadcastService(deps: BroadcastServiceDeps): BroadcastService {
  const { outbox, chats, audit, clock, doc, replies } = deps;

  function checkMeasures(measures: string[] = []) {
    const unknown = measures.filter((m) => !doc.measure(m));
    if (unknown.length) throw new BroadcastInputError(`没有这些措施编号：${unknown.join('、')}（可用：${doc.measures.map((m) => m.id).join('、')}）`);
  }

  const render: BroadcastService['render'] = (b) => renderBroadcast(doc, replies, b, todayIn(clock.now()));

  function view(b: BroadcastRecord): BroadcastView {
    const deliveries = outbox.deliveries(b.id);
    const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
    for (const d of deliveries) counts[d.status]++;
    return {
      id: b.id, title: b.title, status: b.status, scheduledAt: new Date(b.scheduledAt).toISOString(), createdBy: b.createdBy, origin: b.origin,
      text: b.rendered ?? render(b), counts,
      deliveries: deliveries.map((d) => ({ channel: d.channel, chat: d.chatId, name: d.chatName, status: d.status, attempts: d.attempts, error: d.lastError })),
    };
  }

  return {
    render,
    preview(input) {
      checkMeasures(input.measures);
      const audience = selectAudience(chats, input.targets);
      const byChannel: Record<string, number> = {};
      for (const c of audience.chats) byChannel[c.channel] = (byChannel[c.channel] ?? 0) + 1;
      return { text: render({ title: input.title ?? null, text: input.text, measures: input.measures ?? [] }), targets: audience.chats.length, skipped: audience.skipped, byChannel };
    },
    create(input, actor) {
      checkMeasures(input.measures);
      const now = clock.now();
      const audience = selectAudience(chats, input.targets);
      if (!audience.chats.length) throw new BroadcastInputError('没有符合条件且已订阅的群，广播未创建。');
      const id = randomUUID();
      const broadcast: BroadcastRecord = {
        id, title: input.title ?? null, text: input.text, measures: input.measures ?? [], targets: input.targets, rendered: null,
        status: 'scheduled', createdBy: actor, origin: input.origin ?? null, createdAt: now, scheduledAt: Math.max(now, input.at ?? now), finishedAt: null,
      };
      const deliveries: DeliveryRecord[] = audience.chats.map((c, seq) => ({
        id: randomUUID(), broadcastId: id, seq, channel: c.channel, chatId: c.id, chatName: c.name,
        status: 'queued', attempts: 0, lastError: null, updatedAt: now,
      }));
      outbox.create(broadcast, deliveries);
      audit.record({
        at: now, actor, action: 'broadcast.create',
        detail: { id, title: broadcast.title, targets: input.targets, chats: deliveries.map((d) => `${d.channel}:${d.chatId}`), skipped: audience.skipped, at: broadcast.scheduledAt },
      });
      return { id, status: broadcast.status, targets: deliveries.length, skipped: audience.skipped };
    },
    view(id) {
      const b = outbox.broadcast(id);
      return b && view(b);
    },
    recent(limit) {
      return outbox.recent(limit).map(view);
    },
    cancel(id, actor) {
      const cancelled = outbox.cancel(id, clock.now());
      audit.record({ at: clock.now(), actor, action: 'broadcast.cancel', detail: { id, cancelled } });
      return cancelled;
    },
  };
}
