import type { PolicyDocument } from '../../policy/index.js';
import type { AdminTokenStore, AuditLog } from '../admin/ports.js';
import type { BroadcastService } from '../broadcast/service.js';
import type { ChatRegistry, Clock } from '../core/ports.js';
import type { DialogEngine } from '../dialog/engine.js';
import type { Replies } from '../dialog/replies.js';
import type { QuestionStats } from '../staff/question-stats.js';
import type { Db } from '../store/database.js';

/** The services the pages show; the pages compute nothing these do not. */
export interface WebDeps {
  engine: DialogEngine;
  /** The policy document answering now (a function: a reload may replace it). */
  doc: () => PolicyDocument;
  replies: Replies;
  clock: Clock;
  /** Console sessions and the console's read-only queries over the question and audit logs. */
  db: Db;
  tokens: AdminTokenStore;
  audit: AuditLog;
  broadcasts: BroadcastService;
  chats: ChatRegistry;
  questionStats: QuestionStats;
  /**
   * Every policy document the service knows and reloading them, when the service has a policy
   * library (the same object the admin API's /policies routes take). Without it the 政策 tab shows
   * the one document in `doc` and no reload button.
   */
  policies?: WebPolicies;
  /** Console session length; default 12 hours. */
  sessionHours?: number;
  /** Sign-in attempts per minute from one address; default 10. */
  signInPerMinute?: number;
}

/** One document's state on today's date, as the policy library summarises it. */
export interface PolicySummary {
  /** versionTag, "<id>@<version>". */
  document: string;
  title: string;
  status: string;
  number?: string | null;
  validFrom?: string;
  validUntil: string;
  /** active, last_day, expired, not_yet, superseded … as the library names them. */
  state?: string;
  daysLeft: number;
}

export interface ReloadReport {
  ok: boolean;
  documents: string[];
  inForce: string;
  problems: string[];
}

export interface WebPolicies {
  /** The one in force first. */
  summary(): PolicySummary[];
  reload(trigger: string): Promise<ReloadReport>;
}
