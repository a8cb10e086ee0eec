import type { PolicyDocument } from '../../../policy/index.js';
import type { Answer } from '../../core/answer.js';
import type { Replies } from '../../dialog/replies.js';
import type { CardButton, FeishuMessage } from './cards.js';

export interface RenderContext {
  doc: PolicyDocument;
  replies: Replies;
  /** Who the answer is for: an eligibility card belongs to this person. */
  owner: string;
  /** The version an eligibility card is drawn at (1 for a new card, one more after each click). */
  version: number;
}

export interface RenderedAnswer {
  message: FeishuMessage;
  /** An eligibility card: its clicks are tied to one person and one version. */
  check: boolean;
}

/**
 * How an answer looks in Feishu. The dialog decides what to say; this only chooses the form:
 * eligibility steps and results as a card with the answer options as buttons, answers about a
 * measure as a card with "查看原文" and "开始资格测评", anything else as plain text.
 */
export function renderAnswer(answer: Answer, ctx: RenderContext): RenderedAnswer {
  const { doc, replies } = ctx;
  if (answer.dialog) {
    const running = !answer.dialog.done;
    const click = (text: string) => ({ t: text, o: ctx.owner, v: ctx.version });
    const buttons: CardButton[] = running
      ? [
        ...(answer.actions ?? []).map((a, i) => ({ label: a.label, value: click(a.text), primary: i === 0 })),
        ...(['feishuButtonBack', 'feishuButtonCancel'] as const).map((k) => ({ label: replies.render(k), value: click(replies.render(k)) })),
      ]
      : [];
    return {
      check: true,
      message: {
        kind: 'card',
        card: {
          title: answer.title ?? replies.render('feishuCheckTitle'),
          colour: running ? 'blue' : answer.awards?.length && !answer.awards.some((a) => a.status === 'expired') ? 'green' : 'grey',
          body: answer.reply,
          buttons,
        },
      },
    };
  }
  const measure = answer.measures[0];
  if (measure && doc.measure(measure)) {
    const buttons: CardButton[] = [];
    // A full-text answer is already the original; its card offers only the check.
    if (answer.intent !== 'measure.fulltext') {
      buttons.push({
        label: replies.render('feishuButtonFullText'),
        value: { t: replies.render('feishuFullTextQuery', { ordinalName: doc.articleName(measure) }) },
      });
    }
    buttons.push({ label: replies.render('feishuButtonStartCheck'), value: { t: replies.render('feishuStartCheckQuery') }, primary: true });
    return {
      check: false,
      message: { kind: 'card', card: { title: answer.title ?? doc.displayName(measure), colour: 'wathet', body: answer.reply, buttons } },
    };
  }
  return { check: false, message: { kind: 'text', text: answer.reply } };
}
