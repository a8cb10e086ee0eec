import type { ReminderLog } from '../lifecycle/reminders.js';
import type { Db } from './database.js';

export class SqlitePolicyReminders implements ReminderLog {
  constructor(private readonly db: Db) {}

  markSent(document: string, validUntil: string, days: number, at: number): boolean {
    const r = this.db.prepare('INSERT OR IGNORE INTO policy_reminders (document, valid_until, days, sent_at) VALUES (?, ?, ?, ?)').run(document, validUntil, days, at);
    return r.changes === 1;
  }

  sent(document: string, validUntil: string): number[] {
    return this.db.prepare('SELECT days FROM policy_reminders WHERE document = ? AND valid_until = ? ORDER BY days DESC').pluck().all(document, validUntil) as number[];
  }
}
