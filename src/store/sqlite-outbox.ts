import type { BroadcastRecord, BroadcastStatus, DeliveryRecord, DeliveryStatus, Outbox } from '../broadcast/ports.js';
import type { Db } from './database.js';

interface BroadcastRow {
  id: string;
  title: string | null;
  text: string;
  measures: string;
  targets: string;
  rendered: string | null;
  status: BroadcastStatus;
  created_by: string;
  origin: string | null;
  created_at: number;
  scheduled_at: number;
  finished_at: number | null;
}

interface DeliveryRow {
  id: string;
  broadcast_id: string;
  seq: number;
  channel: string;
  chat_id: string;
  chat_name: string;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  updated_at: number;
}

const toBroadcast = (r: BroadcastRow): BroadcastRecord => ({
  id: r.id, title: r.title, text: r.text, measures: JSON.parse(r.measures) as string[], targets: JSON.parse(r.targets),
  rendered: r.rendered, status: r.status, createdBy: r.created_by, origin: r.origin, createdAt: r.created_at, scheduledAt: r.scheduled_at, finishedAt: r.finished_at,
});

const toDelivery = (r: DeliveryRow): DeliveryRecord => ({
  id: r.id, broadcastId: r.broadcast_id, seq: r.seq, channel: r.channel, chatId: r.chat_id, chatName: r.chat_name,
  status: r.status, attempts: r.attempts, lastError: r.last_error, updatedAt: r.updated_at,
});

export class SqliteOutbox implements Outbox {
  constructor(private readonly db: Db) {}

  create(b: BroadcastRecord, deliveries: DeliveryRecord[]): void {
    const insertB = this.db.prepare(`INSERT INTO broadcasts (id, title, text, measures, targets, rendered, status, created_by, origin, created_at, scheduled_at)
      VALUES (@id, @title, @text, @measures, @targets, @rendered, @status, @createdBy, @origin, @createdAt, @scheduledAt)`);
    const insertD = this.db.prepare(`INSERT INTO deliveries (id, broadcast_id, seq, channel, chat_id, chat_name, status, updated_at)
      VALUES (@id, @broadcastId, @seq, @channel, @chatId, @chatName, @status, @updatedAt)`);
    this.db.transaction(() => {
      insertB.run({ ...b, measures: JSON.stringify(b.measures), targets: JSON.stringify(b.targets) });
      for (const d of deliveries) insertD.run(d);
    })();
  }

  broadcast(id: string): BroadcastRecord | undefined {
    const row = this.db.prepare('SELECT * FROM broadcasts WHERE id = ?').get(id) as BroadcastRow | undefined;
    return row && toBroadcast(row);
  }

  recent(limit: number): BroadcastRecord[] {
    return (this.db.prepare('SELECT * FROM broadcasts ORDER BY created_at DESC LIMIT ?').all(limit) as BroadcastRow[]).map(toBroadcast);
  }

  deliveries(broadcastId: string): DeliveryRecord[] {
    return (this.db.prepare('SELECT * FROM deliveries WHERE broadcast_id = ? ORDER BY seq').all(broadcastId) as DeliveryRow[]).map(toDelivery);
  }

  due(now: number): BroadcastRecord[] {
    const rows = this.db.prepare(`SELECT * FROM broadcasts WHERE (status = 'scheduled' AND scheduled_at <= ?) OR status = 'sending' ORDER BY scheduled_at, created_at`).all(now) as BroadcastRow[];
    return rows.map(toBroadcast);
  }

  startSending(id: string, rendered: string): void {
    this.db.prepare(`UPDATE broadcasts SET status = 'sending', rendered = COALESCE(rendered, ?) WHERE id = ? AND status = 'scheduled'`).run(rendered, id);
  }

  finish(id: string, at: number): boolean {
    return this.db.prepare(`UPDATE broadcasts SET status = 'done', finished_at = ? WHERE id = ? AND status = 'sending'`).run(at, id).changes === 1;
  }

  nextQueued(channel: string): DeliveryRecord | undefined {
    const row = this.db.prepare(`SELECT d.* FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id
      WHERE d.channel = ? AND d.status = 'queued' AND b.status = 'sending'
      ORDER BY b.scheduled_at, b.created_at, d.seq LIMIT 1`).get(channel) as DeliveryRow | undefined;
    return row && toDelivery(row);
  }

  mark(id: string, status: DeliveryStatus, at: number, error?: string): void {
    this.db.prepare(`UPDATE deliveries SET status = @status, updated_at = @at, last_error = COALESCE(@error, last_error),
      attempts = attempts + CASE WHEN @status = 'sending' THEN 1 ELSE 0 END WHERE id = @id`).run({ id, status, at, error: error ?? null });
  }

  unfinishedCount(broadcastId: string): number {
    return this.db.prepare(`SELECT COUNT(*) FROM deliveries WHERE broadcast_id = ? AND status IN ('queued', 'sending')`).pluck().get(broadcastId) as number;
  }

  recoverInterrupted(idempotentChannels: readonly string[], at: number): DeliveryRecord[] {
    return this.db.transaction(() => {
      const interrupted = (this.db.prepare(`SELECT * FROM deliveries WHERE status = 'sending'`).all() as DeliveryRow[]).map(toDelivery);
      const uncertain: DeliveryRecord[] = [];
      for (const d of interrupted) {
        const safe = idempotentChannels.includes(d.channel);
        this.mark(d.id, safe ? 'queued' : 'uncertain', at, 'interrupted by a restart');
        if (!safe) uncertain.push({ ...d, status: 'uncertain' });
      }
      return uncertain;
    })();
  }

  cancel(id: string, at: number): boolean {
    return this.db.transaction(() => {
      const changed = this.db.prepare(`UPDATE broadcasts SET status = 'cancelled', finished_at = ? WHERE id = ? AND status IN ('scheduled', 'sending')`).run(at, id).changes === 1;
      if (changed) this.db.prepare(`UPDATE deliveries SET status = 'cancelled', updated_at = ? WHERE broadcast_id = ? AND status = 'queued'`).run(at, id);
      return changed;
    })();
  }

  halt(channel: string, until: number, reason: string): void {
    this.db.prepare('INSERT INTO channel_halts (channel, until, reason) VALUES (?, ?, ?) ON CONFLICT(channel) DO UPDATE SET until = excluded.until, reason = excluded.reason').run(channel, until, reason);
  }

  haltedUntil(channel: string): number | undefined {
    return this.db.prepare('SELECT until FROM channel_halts WHERE channel = ?').pluck().get(channel) as number | undefined;
  }
}
