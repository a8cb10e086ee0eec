/** An award as the API and channels show it (field names are part of the /api/ask contract). */
export interface AwardView {
  measure: string;
  eligible: boolean;
  yuan: number | null;
  maxYuan?: number;
  basis: string;
  /** eligible / not_eligible / needs_info: finer than `eligible` for the check's result; expired: the document (or the time asked about) is past its end date. */
  status: 'eligible' | 'not_eligible' | 'needs_info' | 'expired';
  title: string;
}

export interface DialogView {
  slot: string | null;
  done: boolean;
}

/** Buttons a rich channel (Feishu cards) may offer; text channels show the hint text instead. */
export interface ReplyAction {
  label: string;
  /** The text the click stands for, fed back as if the user typed it. */
  text: string;
}

/** What the brain answers to one turn: the /api/ask body plus hints for rich channels. */
export interface Answer {
  reply: string;
  intent: string;
  measures: string[];
  confidence?: number;
  awards?: AwardView[];
  dialog?: DialogView;
  /** A title for a card; the reply text is its body. */
  title?: string;
  actions?: ReplyAction[];
  /** Internal (not in /api/ask): parts dated after the document's end were already set aside by the answer. */
  datedParts?: boolean;
}
