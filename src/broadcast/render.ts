import { fillTemplate, formatChineseDate, ruleSummary, type PolicyDocument } from '../../policy/index.js';
import { daysBetween, measureSentences } from '../dialog/answers.js';
import type { Replies } from '../dialog/replies.js';

export interface BroadcastContent {
  title?: string | null;
  text: string;
  measures: string[];
}

/** Placeholders an official may write in a notice; filled from the policy and today's date. */
export function noticeValues(doc: PolicyDocument, today: string): Record<string, string | number> {
  return {
    docTitle: doc.title,
    validUntil: formatChineseDate(doc.validUntil),
    daysLeft: Math.max(0, daysBetween(today, doc.validUntil)),
    today: formatChineseDate(today),
  };
}

/** The notice as people receive it: title, the official's text, then each attached measure in brief. */
export function renderBroadcast(doc: PolicyDocument, replies: Replies, content: BroadcastContent, today: string): string {
  const parts: string[] = [];
  if (content.title) parts.push(replies.render('broadcastTitle', { title: content.title }));
  parts.push(fillTemplate(content.text, noticeValues(doc, today)));
  for (const id of content.measures) {
    const rules = doc.rulesFor(id);
    const body = rules.length ? rules.map((r) => `· ${ruleSummary(doc, r)}`) : measureSentences(doc, id).slice(0, 1);
    parts.push([
      replies.render('measureHeader', { name: doc.displayName(id) }),
      ...body,
      replies.render('unitsLine', { units: doc.unitsOf(id).join('、') }),
    ].join('\n'));
  }
  return parts.join('\n\n');
}
