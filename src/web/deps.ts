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
  /** Reloads the policy documents, when the service can; the 政策 tab offers a button only then. */
  reloadPolicy?: () => Promise<string> | string;
  /** Console session length; default 12 hours. */
  sessionHours?: number;
  /** Sign-in attempts per minute from one address; default 10. */
  signInPerMinute?: number;
}
