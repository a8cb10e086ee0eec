import type { ClickValue } from './events.js';
import type { MsgType } from './lark.js';

export type HeaderColour = 'blue' | 'wathet' | 'green' | 'orange' | 'red' | 'grey';

export interface CardButton {
  label: string;
  value: ClickValue;
  primary?: boolean;
}

/** A card as the channel thinks of it; cardJson() draws it in Feishu's schema 2.0. */
export interface CardSpec {
  title: string;
  colour: HeaderColour;
  /** The body, as plain text: it is escaped before it becomes card markdown. */
  body: string;
  buttons?: CardButton[];
}

/** What the channel sends: a text message or a card. */
export type FeishuMessage = { kind: 'text'; text: string } | { kind: 'card'; card: CardSpec };

// Documented limits: a card's JSON up to 30 KB, a text message up to 150 KB (a little kept in hand).
const CARD_MAX_BYTES = 28 * 1024;
const TEXT_MAX_BYTES = 140 * 1024;

/** Plain text shown literally inside card markdown (numeric character references, per CommonMark). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[&<>*_~`[\]|\\#]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function cardJson(spec: CardSpec): object {
  const elements: object[] = [{ tag: 'markdown', content: escapeMarkdown(spec.body) }];
  if (spec.buttons?.length) {
    elements.push({
      tag: 'column_set',
      // flow: buttons sit side by side and wrap to the next line on a narrow screen.
      flex_mode: 'flow',
      horizontal_spacing: '8px',
      columns: spec.buttons.map((b) => ({
        tag: 'column',
        width: 'auto',
        elements: [{
          tag: 'button',
          text: { tag: 'plain_text', content: b.label },
          type: b.primary ? 'primary_filled' : 'default',
          behaviors: [{ type: 'callback', value: b.value }],
        }],
      })),
    });
  }
  return {
    schema: '2.0',
    // Schema 2.0 cards are always shared cards: an update shows for everyone in the chat.
    config: { update_multi: true },
    header: { title: { tag: 'plain_text', content: spec.title }, template: spec.colour },
    body: { elements },
  };
}

function truncateBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let out = text.slice(0, Math.floor(max / 3));
  while (Buffer.byteLength(out) > max) out = out.slice(0, -100);
  return `${out}…`;
}

/** The message type and content string for the API; a card too big for Feishu goes as text. */
export function encodeMessage(message: FeishuMessage): { msgType: MsgType; content: string } {
  if (message.kind === 'card') {
    const content = JSON.stringify(cardJson(message.card));
    if (Buffer.byteLength(content) <= CARD_MAX_BYTES) return { msgType: 'interactive', content };
    return encodeMessage({ kind: 'text', text: `${message.card.title}\n${message.card.body}` });
  }
  return { msgType: 'text', content: JSON.stringify({ text: truncateBytes(message.text, TEXT_MAX_BYTES) }) };
}
