/** Ports owned by their users (dialog, channels); store/ implements them. */

export interface DialogStateStore<S = unknown> {
  get(key: string): S | undefined;
  put(key: string, state: S): void;
  delete(key: string): void;
}

export interface QuestionLogEntry {
  at: number;
  channel: string;
  chat: string;
  user: string;
  text: string;
  intent: string;
  confidence: number;
  measures: string[];
}

export interface QuestionLog {
  record(entry: QuestionLogEntry): void;
}

/** Platforms re-deliver events; each id is handled once. */
export interface ProcessedEvents {
  /** True the first time an id is seen; false for a re-delivery. */
  markIfNew(id: string, at: number): boolean;
  /** Forgets ids older than the given time. */
  prune(before: number): void;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
