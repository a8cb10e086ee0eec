import {
  enterpriseRules, evaluateRules, formatChineseDate, nextFieldToAsk,
  type AwardOutcome, type FactValue, type PolicyDocument,
} from '../../policy/index.js';
import type { AwardView, ReplyAction } from '../core/answer.js';
import type { Slots } from '../nlu/index.js';
import { awardView, basisWithMet, formatFact } from './answers.js';
import type { Replies } from './replies.js';
import type { EligibilityCheck } from './state.js';

export function newCheck(): EligibilityCheck {
  return { profile: {}, unknown: [], pending: null, done: false, history: [] };
}

/** The profile facts a message carries (question-only fields such as event counts are not profile). */
export function profileFactsOf(doc: PolicyDocument, slots: Slots): Record<string, FactValue> {
  const out: Record<string, FactValue> = {};
  for (const f of doc.profileFields) if (slots.facts[f.field] !== undefined) out[f.field] = slots.facts[f.field];
  return out;
}

/** Applies facts and "不清楚"s as one undoable step; returns the fields that changed. */
export function applyFacts(check: EligibilityCheck, facts: Record<string, FactValue>, unknown: string[]): string[] {
  const previous: Record<string, FactValue | null> = {};
  const changed: string[] = [];
  for (const [field, value] of Object.entries(facts)) {
    if (check.profile[field] === value) continue;
    previous[field] = check.profile[field] ?? null;
    check.profile[field] = value;
    check.unknown = check.unknown.filter((u) => u !== field);
    changed.push(field);
  }
  const unknownAdded = unknown.filter((u) => !check.unknown.includes(u) && check.profile[u] === undefined);
  check.unknown.push(...unknownAdded);
  if (changed.length || unknownAdded.length) check.history.push({ asked: check.pending, previous, unknownAdded });
  return changed;
}

/** Undoes the last step; false when there is nothing to undo. */
export function stepBack(check: EligibilityCheck): boolean {
  const step = check.history.pop();
  if (!step) return false;
  for (const [field, value] of Object.entries(step.previous)) {
    if (value === null) delete check.profile[field];
    else check.profile[field] = value;
  }
  check.unknown = check.unknown.filter((u) => !step.unknownAdded.includes(u));
  check.done = false;
  check.pending = step.asked;
  return true;
}

export function outcomesOf(doc: PolicyDocument, check: EligibilityCheck): AwardOutcome[] {
  return evaluateRules(doc, enterpriseRules(doc), check.profile, check.unknown);
}

/** Moves the check on: the next field to ask, or done. */
export function advance(doc: PolicyDocument, check: EligibilityCheck): AwardOutcome[] {
  const outcomes = outcomesOf(doc, check);
  check.pending = nextFieldToAsk(doc, outcomes, check.unknown);
  check.done = check.pending === null;
  return outcomes;
}

export function questionText(doc: PolicyDocument, replies: Replies, field: string): string {
  const f = doc.field(field)!;
  return replies.render('dialogAsk', { question: f.question, hint: f.hint });
}

/**
 * Buttons for rich channels: the ready-made answers the question's hint offers ("是 / 不是 /
 * 不清楚"); examples with figures ("350万") are for typing, not clicking.
 */
export function questionActions(doc: PolicyDocument, field: string): ReplyAction[] {
  const hint = doc.field(field)?.hint ?? '';
  return hint
    .replace(/^[^：:]*[：:]/, '')
    .split('/')
    .map((o) => o.trim())
    .filter((o) => o && !/\d/.test(o))
    .map((o) => ({ label: o, text: o }));
}

export function describeFacts(doc: PolicyDocument, facts: Record<string, FactValue>): string {
  return doc.profileFields
    .filter((f) => facts[f.field] !== undefined)
    .map((f) => `${f.label}：${formatFact(doc, f.field, facts[f.field])}`)
    .join('，');
}

export interface CheckResult {
  text: string;
  awards: AwardView[];
  measures: string[];
}

/** The result: per rule eligible / not / needs information, with arithmetic, reasons, units, validity. */
export function resultOf(doc: PolicyDocument, replies: Replies, check: EligibilityCheck, outcomes: AwardOutcome[]): CheckResult {
  const profileParts = doc.profileFields
    .filter((f) => check.profile[f.field] !== undefined || check.unknown.includes(f.field))
    .map((f) => (check.profile[f.field] !== undefined ? `${f.label}${formatFact(doc, f.field, check.profile[f.field])}` : `${f.label}不清楚`));
  const lines = [replies.render('resultHeader', { profile: profileParts.join('，') })];
  const inScope = outcomes.filter((o) => !o.outOfScope);
  const order = { eligible: 0, needs_info: 1, not_eligible: 2 } as const;
  for (const o of [...inScope].sort((a, b) => order[a.status] - order[b.status])) {
    const key = o.status === 'eligible' ? 'resultEligible' : o.status === 'not_eligible' ? 'resultNotEligible' : 'resultNeedsInfo';
    lines.push(replies.render(key, { name: doc.displayName(o.rule.measure), title: o.rule.title, basis: basisWithMet(doc, replies, o, check.profile) }));
  }
  const outOfScope = outcomes.filter((o) => o.outOfScope);
  if (outOfScope.length) lines.push(replies.render('resultOutOfScope', { items: outOfScope.map((o) => `${o.rule.title}（${o.unmet[0]}）`).join('；') }));
  const pendingOnUnknown = inScope.filter((o) => o.unknownDependencies.length);
  if (pendingOnUnknown.length) {
    const fields = [...new Set(pendingOnUnknown.flatMap((o) => o.unknownDependencies))].map((f) => doc.fieldLabel(f));
    lines.push(replies.render('resultUnknownDepends', { fields: fields.join('、'), titles: pendingOnUnknown.map((o) => o.rule.title).join('、') }));
  }
  const hopeful = inScope.filter((o) => o.status !== 'not_eligible').map((o) => o.rule.measure);
  const unitMeasures = [...new Set(hopeful)];
  if (unitMeasures.length) {
    lines.push(replies.render('resultUnitsHeader'));
    for (const m of unitMeasures) lines.push(replies.render('resultUnits', { title: doc.displayName(m), units: doc.unitsOf(m).join('、') }));
  }
  lines.push(replies.render('resultOthers'));
  lines.push(replies.render('resultFooter', { docTitle: doc.title, status: doc.status, validUntil: formatChineseDate(doc.validUntil) }));
  const awards = outcomes.map((o) => awardView(doc, o, false));
  const measures = [...new Set([...hopeful, ...inScope.map((o) => o.rule.measure)])];
  return { text: lines.join('\n'), awards, measures };
}
