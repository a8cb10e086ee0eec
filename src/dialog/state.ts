import type { FactValue } from '../../policy/index.js';
import type { ConversationContext } from './context.js';

/** One step of the eligibility check, kept so "上一步" can undo it. */
export interface CheckStep {
  asked: string | null;
  /** Values the step replaced (undefined: the field was empty). */
  previous: Record<string, FactValue | null>;
  unknownAdded: string[];
}

export interface EligibilityCheck {
  profile: Record<string, FactValue>;
  unknown: string[];
  pending: string | null;
  done: boolean;
  history: CheckStep[];
}

/** Everything remembered of one conversation, stored as JSON through the dialog-state port. */
export interface ConversationState {
  /** The policy document's versionTag when the state was written. */
  version: string;
  updatedAt: number;
  lastMeasures: string[];
  check?: EligibilityCheck;
  /** The last questions asked, for follow-ups. */
  context?: ConversationContext;
  /** In a private chat: the group conversation whose running check this chat may take over. */
  handoff?: string;
}

export function freshState(version: string, now: number): ConversationState {
  return { version, updatedAt: now, lastMeasures: [] };
}

export function isCheckRunning(state: ConversationState): boolean {
  return !!state.check && !state.check.done && state.check.pending !== null;
}
