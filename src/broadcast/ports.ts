export const TARGET_CHANNELS = ['wechat', 'feishu', 'all'] as const;
export type TargetChannel = (typeof TARGET_CHANNELS)[number];

export interface Targets {
  channel: TargetChannel;
  chats?: string[];
  tags?: string[];
}

export type BroadcastStatus = 'scheduled' | 'sending' | 'done' | 'cancelled';
export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'uncertain' | 'skipped' | 'cancelled';

export interface BroadcastRecord {
  id: string;
  title: string | null;
  text: string;
  measures: string[];
  targets: Targets;
  rendered: string | null;
  status: BroadcastStatus;
  createdBy: string;
  /** Where it was composed ("feishu:<chat id>"); null when over the HTTP API. */
  origin: string | null;
  createdAt: number;
  scheduledAt: number;
  finishedAt: number | null;
}

export interface DeliveryRecord {
  /** Also the idempotency key sent to platforms that take one (Feishu's uuid). */
  id: string;
  broadcastId: string;
  seq: number;
  channel: string;
  chatId: string;
  chatName: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  updatedAt: number;
}

/** The durable outbox; every write is committed before the worker acts on it. */
export interface Outbox {
  create(broadcast: BroadcastRecord, deliveries: DeliveryRecord[]): void;
  broadcast(id: string): BroadcastRecord | undefined;
  recent(limit: number): BroadcastRecord[];
  deliveries(broadcastId: string): DeliveryRecord[];
  /** Broadcasts whose time has come (scheduled) or that are part-way (sending). */
  due(now: number): BroadcastRecord[];
  startSending(id: string, rendered: string): void;
  /** True when this call finished it (it was sending and nothing is left). */
  finish(id: string, at: number): boolean;
  /** The next queued delivery of a channel, oldest broadcast first. */
  nextQueued(channel: string): DeliveryRecord | undefined;
  /** Marks a delivery; moving to "sending" counts an attempt. */
  mark(id: string, status: DeliveryStatus, at: number, error?: string): void;
  unfinishedCount(broadcastId: string): number;
  /** After a crash: "sending" rows go back to queued where resending is safe, else become uncertain. */
  recoverInterrupted(idempotentChannels: readonly string[], at: number): DeliveryRecord[];
  cancel(id: string, at: number): boolean;
  halt(channel: string, until: number, reason: string): void;
  haltedUntil(channel: string): number | undefined;
}

export { SendError, type BroadcastSender, type OutgoingMessage, type SendFailure } from '../core/ports.js';
