import type { AuditEntry } from '../admin/ports.js';
import type { TimeRange } from '../staff/question-stats.js';
import type { Db } from '../store/database.js';

// Read-only views the console needs beyond QuestionStats and AuditLog.recent: top intents, each
// occurrence of an unanswered question, and the audit log filtered in SQL.

export interface IntentCount {
  intent: string;
  count: number;
}

export interface Occurrence {
  at: number;
  channel: string;
  chat: string;
  intent: string;
}

export interface AuditFilter {
  action?: string;
  actor?: string;
  /** Text anywhere in the detail (a chat id, a broadcast id, a name). */
  text?: string;
  limit: number;
}

export class ConsoleQueries {
  constructor(private readonly db: Db) {}

  topIntents(range: TimeRange, limit: number): IntentCount[] {
    return this.db.prepare(`SELECT intent, COUNT(*) AS count FROM question_log
      WHERE at >= @from AND at < @to AND (intent NOT LIKE 'eligibility.%' OR intent = 'eligibility.start')
      GROUP BY intent ORDER BY count DESC, intent LIMIT @limit`).all({ ...range, limit }) as IntentCount[];
  }

  /** Every time this exact text was asked, newest first. */
  occurrences(text: string, limit: number): Occurrence[] {
    return this.db.prepare('SELECT at, channel, chat, intent FROM question_log WHERE text = ? ORDER BY at DESC LIMIT ?').all(text, limit) as Occurrence[];
  }

  auditActions(): string[] {
    return this.db.prepare('SELECT DISTINCT action FROM audit_log ORDER BY action').pluck().all() as string[];
  }

  audit(f: AuditFilter): AuditEntry[] {
    const where: string[] = [];
    const params: Record<string, string | number> = { limit: f.limit };
    if (f.action) {
      where.push('action = @action');
      params.action = f.action;
    }
    if (f.actor) {
      where.push(`instr(actor, @actor) > 0`);
      params.actor = f.actor;
    }
    if (f.text) {
      where.push(`instr(detail, @text) > 0`);
      params.text = f.text;
    }
    const rows = this.db.prepare(`SELECT at, actor, action, detail FROM audit_log ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT @limit`).all(params) as { at: number; actor: string; action: string; detail: string }[];
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }
}
