import { parseStoredState } from './stored-state.js';
import type { DialogStateStore, ProcessedEvents, QuestionLog, QuestionLogEntry } from '../core/ports.js';

/** In-memory fakes of the ports, for unit tests of the layers above the store. */
export class MemoryDialogStateStore<S> implements DialogStateStore<S> {
  readonly states = new Map<string, string>();
  get(key: string): S | undefined {
    return parseStoredState<S>(this.states.get(key));
  }
  put(key: string, state: S): void {
    this.states.set(key, JSON.stringify(state));
  }
  delete(key: string): void {
    this.states.delete(key);
  }
}

export class MemoryQuestionLog implements QuestionLog {
  readonly entries: QuestionLogEntry[] = [];
  record(entry: QuestionLogEntry): void {
    this.entries.push(entry);
  }
}

export class MemoryProcessedEvents implements ProcessedEvents {
  readonly seen = new Map<string, number>();
  markIfNew(id: string, at: number): boolean {
    if (this.seen.has(id)) return false;
    this.seen.set(id, at);
    return true;
  }
  prune(before: number): void {
    for (const [id, at] of this.seen) if (at < before) this.seen.delete(id);
  }
}
