import type { FastifyInstance } from 'fastify';
import type { PolicyDocument } from '../../policy/index.js';
import type { BroadcastSender, ChannelHealth, Clock, ChatRegistry, Logger, ProcessedEvents, StaffAlerts } from '../core/ports.js';
import type { UserRoles } from '../admin/ports.js';
import type { BroadcastService, BroadcastView } from '../broadcast/service.js';
import type { DialogEngine } from '../dialog/engine.js';
import type { Replies } from '../dialog/replies.js';
import type { QuestionStats } from '../staff/question-stats.js';
import type { Db } from '../store/database.js';
import type { Metrics } from '../ops/metrics.js';

/** What main hands every messaging channel. Channels translate; the engine decides. */
export interface ChannelDeps {
  engine: DialogEngine;
  /** The reply templates (intents/replies.yaml), loaded once by main. */
  replies: Replies;
  /** Figures over the question log, for staff commands. */
  questionStats: QuestionStats;
  doc: PolicyDocument;
  db: Db;
  chats: ChatRegistry;
  events: ProcessedEvents;
  /** Where to tell staff about something only a person can fix; main wires it to Feishu when configured. */
  alerts: StaffAlerts;
  clock: Clock;
  log: Logger;
  /** The data folder (beside DB_PATH): channels keep their session files here. */
  dataDir: string;
  /** For channels that let officials compose broadcasts (Feishu "/广播"). */
  broadcasts?: BroadcastService;
  /** Platform users' roles (who is an official). */
  roles?: UserRoles;
  /** The policy documents' state today, for the staff command "/政策". */
  policyStatus?: () => string;
  /** Where the channel reports its connection state (main serves it on /readyz and alerts on outages). */
  health?: ChannelHealth;
  /** Removes the service's secrets from a text a library produced, before it is logged, stored or sent. */
  redact?: (text: string) => string;
  /** Platform errors and channel state for /metrics. */
  metrics?: Pick<Metrics, 'platformError' | 'channelUp'>;
}

/** A configured channel. Created before the HTTP server is built (for its routes), started after it listens. */
export interface Channel {
  readonly name: string;
  /** HTTP routes the channel needs (webhooks), registered on the service's fastify app. */
  routes?(app: FastifyInstance): void | Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A channel that can reach staff offers itself as the alert sink (Feishu). */
  staffAlerts?: StaffAlerts;
  /** How broadcasts reach this channel's chats (one notice, one chat); the broadcaster paces the calls. */
  broadcastSender?: BroadcastSender;
  /** A broadcast composed in one of this channel's chats has finished: tell that chat how it went. */
  broadcastFinished?(view: BroadcastView, chatId: string): Promise<void>;
}

/**
 * Reads the channel's own settings from the environment (validated with zod; a bad value
 * throws one clear line). Returns null, after one log line, when the channel is not configured.
 */
export type ChannelFactory = (env: Record<string, string | undefined>, deps: ChannelDeps) => Promise<Channel | null>;
