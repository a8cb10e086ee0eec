import type { PolicyDocument } from './document.js';
import { fillTemplate, formatYuan, trimNumber } from './format.js';
import type { AwardRule, Condition } from './schema.js';

export type FactValue = string | number | boolean;
/** What is known of an enterprise (profile fields) or of a question (event counts, cluster level). */
export type Facts = Readonly<Record<string, FactValue | undefined>>;

export type AwardStatus = 'eligible' | 'not_eligible' | 'needs_info';

export interface AwardOutcome {
  rule: AwardRule;
  status: AwardStatus;
  /** The amount when the document fixes it and the facts allow computing it. */
  yuan: number | null;
  maxYuan?: number;
  /** The arithmetic or the reason, in Chinese, ready to show. */
  basis: string;
  /** Why not, for each failed condition, with what would qualify. */
  unmet: string[];
  /** Fields still needed to decide, in the order the check asks them. */
  missing: string[];
  /** Fields the asker said they do not know and the outcome depends on. */
  unknownDependencies: string[];
  /** A failed scope condition: the rule is for another kind of enterprise. */
  outOfScope: boolean;
}

type ConditionState = 'pass' | 'fail' | 'missing';

function conditionState(c: Condition, value: FactValue | undefined): ConditionState {
  if (value === undefined) return c.assumed ? 'pass' : 'missing';
  if (c.in) return c.in.includes(String(value)) ? 'pass' : 'fail';
  if (c.equals !== undefined) return value === c.equals ? 'pass' : 'fail';
  if (c.min !== undefined) return typeof value === 'number' && value >= c.min ? 'pass' : 'fail';
  return 'fail';
}

/** A scope condition the facts fail: the rule is for another kind of enterprise (evaluateRule's outOfScope, without evaluating). */
export function outOfScope(rule: AwardRule, facts: Facts): boolean {
  return rule.when.some((c) => c.scope && conditionState(c, facts[c.field]) === 'fail');
}

export function evaluateRule(doc: PolicyDocument, rule: AwardRule, facts: Facts, unknown: readonly string[] = []): AwardOutcome {
  const states = rule.when.map((c) => ({ c, state: conditionState(c, facts[c.field]) }));
  const failed = states.filter((s) => s.state === 'fail');
  const missingFields = states.filter((s) => s.state === 'missing').map((s) => s.c.field);
  const amountField = 'field' in rule.amount ? rule.amount.field : undefined;
  if (amountField && facts[amountField] === undefined && failed.length === 0) missingFields.push(amountField);
  const order = fieldOrder(doc);
  const missing = [...new Set(missingFields)].sort((a, b) => order(a) - order(b));
  const unknownDependencies = missing.filter((f) => unknown.includes(f));
  const outOfScope = failed.some((s) => s.c.scope);
  const base = { rule, unmet: failed.map((s) => s.c.unmet), missing, unknownDependencies, outOfScope };

  if (failed.length) return { ...base, status: 'not_eligible', yuan: null, basis: '不符合：' + failed.map((s) => s.c.unmet).join('；') };
  const amount = amountOf(doc, rule, facts);
  const conditionsMissing = states.some((s) => s.state === 'missing');
  const status: AwardStatus = conditionsMissing ? 'needs_info' : 'eligible';
  const basis = status === 'needs_info' ? `${amount.basis}（尚需确认：${pendingConditions(doc, rule, states, missing)}）` : amount.basis;
  return { ...base, status, yuan: amount.yuan, maxYuan: amount.maxYuan, basis };
}

/** What is still to be confirmed, as the rule's own requirement where it has one. */
function pendingConditions(doc: PolicyDocument, rule: AwardRule, states: { c: Condition; state: ConditionState }[], missing: string[]): string {
  return missing
    .map((f) => states.find((s) => s.state === 'missing' && s.c.field === f)?.c.unmet ?? doc.fieldLabel(f))
    .join('；');
}

export function evaluateRules(doc: PolicyDocument, rules: readonly AwardRule[], facts: Facts, unknown: readonly string[] = []): AwardOutcome[] {
  return rules.map((r) => evaluateRule(doc, r, facts, unknown));
}

/** The enterprise rules: what the eligibility check evaluates. */
export function enterpriseRules(doc: PolicyDocument): AwardRule[] {
  return doc.awards.filter((r) => r.audience === 'enterprise');
}

/**
 * The next profile field worth asking: the first, in the document's order, that some
 * still-undecided rule needs and that the asker has not already said they do not know.
 * Null when every rule is decided (or blocked only by unknowns): the check is finished.
 */
export function nextFieldToAsk(doc: PolicyDocument, outcomes: readonly AwardOutcome[], unknown: readonly string[]): string | null {
  const needed = new Set(outcomes.filter((o) => o.status === 'needs_info' || (o.status === 'eligible' && o.missing.length)).flatMap((o) => o.missing));
  const field = doc.profileFields.find((f) => needed.has(f.field) && !unknown.includes(f.field));
  return field?.field ?? null;
}

interface Amount { yuan: number | null; maxYuan?: number; basis: string }

function amountOf(doc: PolicyDocument, rule: AwardRule, facts: Facts): Amount {
  const a = rule.amount;
  switch (a.kind) {
    case 'fixed':
      return { yuan: a.yuan, basis: `一次性奖励${formatYuan(a.yuan)}` };
    case 'percentOf': {
      const input = facts[a.field];
      const label = doc.fieldLabel(a.field);
      if (typeof input !== 'number') return { yuan: null, basis: `${label} × ${a.percent}%（需提供${label}）` };
      const yuan = Math.round((input * a.percent) / 100);
      return { yuan, basis: `${label}${formatYuan(input)} × ${a.percent}% = ${formatYuan(yuan)}` };
    }
    case 'perUnit': {
      const units = facts[a.field];
      if (typeof units !== 'number') return { yuan: null, maxYuan: undefined, basis: `每${a.unit}${formatYuan(a.yuan)}` };
      const yuan = units * a.yuan;
      return { yuan, basis: `${units}${a.unit} × ${formatYuan(a.yuan)} = ${formatYuan(yuan)}` };
    }
    case 'capByValue': {
      const value = facts[a.field];
      if (typeof value === 'string' && a.caps[value] !== undefined) {
        return { yuan: null, maxYuan: a.caps[value], basis: `${a.labels[value] ?? value}：不超过${formatYuan(a.caps[value])}` };
      }
      const max = Math.max(...Object.values(a.caps));
      const parts = Object.entries(a.caps).map(([k, v]) => `${a.labels[k] ?? k}不超过${formatYuan(v)}`);
      return { yuan: null, maxYuan: max, basis: parts.join('，') };
    }
    case 'unspecified':
      return { yuan: null, basis: a.note };
  }
}

/** The rule's one-line description, its placeholders filled from the rule's own parameters. */
export function ruleSummary(doc: PolicyDocument, rule: AwardRule): string {
  const values: Record<string, string | number> = {};
  for (const c of rule.when) {
    if (c.min !== undefined) values[c.field] = doc.fieldKind(c.field) === 'yuan' ? formatYuan(c.min) : trimNumber(c.min);
  }
  const a = rule.amount;
  if (a.kind === 'fixed' || a.kind === 'perUnit') values.yuan = formatYuan(a.yuan);
  if (a.kind === 'percentOf') values.percent = a.percent;
  if (a.kind === 'capByValue') values.caps = Object.values(a.caps).map(formatYuan).join('、');
  return fillTemplate(rule.summary, values);
}

function fieldOrder(doc: PolicyDocument): (field: string) => number {
  const names = doc.profileFields.map((f) => f.field);
  return (field) => {
    const i = names.indexOf(field);
    return i === -1 ? names.length : i;
  };
}
