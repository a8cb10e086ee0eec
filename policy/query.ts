import type { PolicyDocument } from './document.js';
import { evaluateRules, outOfScope, type AwardOutcome, type AwardStatus, type Facts, type FactValue } from './evaluate.js';
import type { AwardRule } from './schema.js';
import { formatYuan } from './format.js';

/** Subjects of a question that share their facts ("两家子公司", "有一场只来了20家企业"). */
export interface QueryGroup {
  count: number;
  facts: Facts;
  /** Amounts the group's words give without saying what they are ("一家给了80万"). */
  looseYuan?: readonly number[];
  /** The group's own words, to name it in the answer. */
  text?: string;
  /** The asker's word on the group as a whole ("达标", "没达标"): it settles what the facts leave open. */
  verdict?: boolean;
  /** Why the group is out whatever the rules say (its time is after the document's end), shown as the reason. */
  outside?: string;
}

/** One group's outcome under the rule that applies to it. */
export interface GroupOutcome {
  group: QueryGroup;
  outcome: AwardOutcome;
  /** The group's amount: the rule's amount for each of its subjects. */
  yuan: number | null;
  maxYuan?: number;
}

/** A measure evaluated for every subject of a question: the parts and their sum. */
export interface MeasureEvaluation {
  measure: string;
  parts: GroupOutcome[];
  status: AwardStatus;
  yuan: number | null;
  maxYuan?: number;
  /** "10万元 × 2家 = 20万元", or each part and the sum. */
  basis: string;
}

/**
 * The rules a question is about: those whose scope the asker is in, and among them the ones
 * that use the facts the question gives ("省级奖励60万" → the matching rule, not the 10万 one).
 */
export function rulesInQuestion(doc: PolicyDocument, id: string, facts: Facts): AwardOutcome[] {
  return evaluateRules(doc, rulesOfQuestion(doc, id, facts), facts);
}

/**
 * The rules rulesInQuestion evaluates, chosen without evaluating any (their amounts and wording
 * are the costly part): for callers that only need to know which rules, or how many facts they use.
 */
export function rulesOfQuestion(doc: PolicyDocument, id: string, facts: Facts): AwardRule[] {
  const all = doc.rulesFor(id);
  // "我们只是创新型中小企业…能走技改补助不": an asker outside every rule of the measure is told why.
  const inScope = all.filter((r) => !outOfScope(r, facts));
  const rules = inScope.length || !all.length ? inScope : all;
  const max = Math.max(0, ...rules.map((r) => ruleFactsUsed(r, facts)));
  return max > 0 ? rules.filter((r) => ruleFactsUsed(r, facts) === max) : rules;
}

/** How many of the rule's fields the facts fill: a rule the question gives nothing for is not its subject. */
export function factsUsed(o: AwardOutcome, facts: Facts): number {
  return ruleFactsUsed(o.rule, facts);
}

/** factsUsed of a rule itself. */
export function ruleFactsUsed(rule: AwardRule, facts: Facts): number {
  return ruleFieldNames(rule).filter((f) => facts[f] !== undefined).length;
}

/** The fields a rule reads: its conditions' and its amount's. */
export function ruleFieldNames(rule: AwardRule): string[] {
  return [...new Set([...rule.when.map((c) => c.field), ...('field' in rule.amount ? [rule.amount.field] : [])])];
}

/** Fills the rule's missing amount field from an amount the group gave loosely. */
function withLooseYuan(doc: PolicyDocument, id: string, facts: Facts, loose: readonly number[]): Facts {
  if (!loose.length) return facts;
  const field = doc.rulesFor(id).map((r) => ('field' in r.amount ? r.amount.field : undefined))
    .find((f) => f !== undefined && doc.fieldKind(f) === 'yuan' && facts[f] === undefined);
  return field ? { ...facts, [field]: loose[0] } : facts;
}

/**
 * Each group against the measure's rules, with the question's shared facts under its own.
 * An event rule counts the group's events; other rules pay each subject of the group.
 */
export function evaluateGroups(doc: PolicyDocument, id: string, shared: Facts, groups: readonly QueryGroup[], unit = '家'): MeasureEvaluation | null {
  const parts: GroupOutcome[] = [];
  for (const group of groups) {
    let facts: Record<string, FactValue | undefined> = { ...shared, ...group.facts };
    facts = { ...withLooseYuan(doc, id, facts, group.looseYuan ?? []) };
    const perUnit = doc.rulesFor(id).find((r) => r.amount.kind === 'perUnit');
    if (perUnit && 'field' in perUnit.amount) facts[perUnit.amount.field] = group.count;
    const outcomes = rulesInQuestion(doc, id, facts);
    if (!outcomes.length) continue;
    // The rule that best fits this group: eligible before undecided before not.
    const rank = { eligible: 0, needs_info: 1, not_eligible: 2 } as const;
    const outcome = withOutside(withVerdict([...outcomes].sort((a, b) => rank[a.status] - rank[b.status])[0], group.verdict), group.outside);
    const times = outcome.rule.amount.kind === 'perUnit' ? 1 : group.count;
    const pays = outcome.status !== 'not_eligible';
    parts.push({
      group, outcome,
      yuan: pays && outcome.yuan !== null ? outcome.yuan * times : null,
      ...(pays && outcome.maxYuan !== undefined ? { maxYuan: outcome.maxYuan * times } : {}),
    });
  }
  if (!parts.length) return null;
  const undecided = parts.filter((p) => p.outcome.status !== 'not_eligible');
  const status: AwardStatus = undecided.some((p) => p.outcome.status === 'eligible') ? 'eligible' : undecided.length ? 'needs_info' : 'not_eligible';
  // Groups still to be confirmed count in the total (their own line says what is to be confirmed),
  // but not the rest of a count that nothing was said of ("8家…新认定的有3家，其余…").
  const described = undecided.some((p) => p.group.text);
  const paying = undecided.filter((p) => p.outcome.status === 'eligible' || p.group.text || !described);
  const amounts = paying.filter((p) => p.yuan !== null);
  const yuan = amounts.length ? amounts.reduce((n, p) => n + p.yuan!, 0) : null;
  const caps = paying.filter((p) => p.maxYuan !== undefined);
  const maxYuan = caps.length ? caps.reduce((n, p) => n + p.maxYuan!, 0) : undefined;
  return { measure: id, parts, status, yuan, ...(maxYuan !== undefined ? { maxYuan } : {}), basis: sumBasis(parts, paying, yuan, maxYuan, unit) };
}

const PENDING = /（尚需确认：[^（]*）$/;
const UNMET_AS_SAID = '按您所说，未达到条件';

/**
 * The asker's word on a group over what its facts leave open: "没达标" rules it out, "达标"
 * confirms what was still to be confirmed (never what the facts rule out).
 */
function withVerdict(o: AwardOutcome, verdict: boolean | undefined): AwardOutcome {
  if (verdict === false && o.status !== 'not_eligible') {
    return { ...o, status: 'not_eligible', yuan: null, maxYuan: undefined, unmet: [UNMET_AS_SAID], basis: `不符合：${UNMET_AS_SAID}` };
  }
  if (verdict === true && o.status === 'needs_info') return { ...o, status: 'eligible', basis: `${o.basis.replace(PENDING, '')}（按您所说已达到条件）` };
  return o;
}

/** A reason from outside the rules ("明年一月那场在有效期之后") rules the group out. */
function withOutside(o: AwardOutcome, reason: string | undefined): AwardOutcome {
  return reason === undefined ? o : { ...o, status: 'not_eligible', yuan: null, maxYuan: undefined, unmet: [reason], basis: `不符合：${reason}` };
}

/** One group's arithmetic: the rule's own basis, times the group's count where it pays per subject. */
export function partBasis(p: GroupOutcome, unit: string): string {
  const o = p.outcome;
  if (o.status === 'not_eligible' || o.rule.amount.kind === 'perUnit' || p.group.count === 1) return o.basis;
  const each = o.yuan ?? o.maxYuan;
  if (each === undefined || each === null) return `${o.basis}（共${p.group.count}${unit}）`;
  // The rule's basis ends with what is still to be confirmed; the group's arithmetic keeps it.
  const pending = o.status === 'needs_info' ? (PENDING.exec(o.basis)?.[0] ?? '') : '';
  const upTo = o.yuan === null ? '不超过' : '';
  return `${upTo}${formatYuan(each)} × ${p.group.count}${unit} = ${upTo}${formatYuan(each * p.group.count)}${pending}`;
}

function sumBasis(parts: GroupOutcome[], paying: GroupOutcome[], yuan: number | null, maxYuan: number | undefined, unit: string): string {
  if (parts.length === 1) return partBasis(parts[0], unit);
  const shown = parts.map((p) => partBasis(p, unit));
  const counted = paying.filter((p) => p.yuan !== null || p.maxYuan !== undefined);
  const total = yuan ?? maxYuan;
  if (counted.length < 2 || total === undefined) return shown.join('；');
  const sum = counted.map((p) => formatYuan((p.yuan ?? p.maxYuan)!)).join(' + ');
  const pending = counted.filter((p) => p.outcome.status === 'needs_info').reduce((n, p) => n + (p.yuan ?? p.maxYuan)!, 0);
  const note = pending > 0 ? `（其中${formatYuan(pending)}尚需确认）` : '';
  return `${shown.join('；')}；合计 ${sum} = ${yuan === null ? '不超过' : ''}${formatYuan(total)}${note}`;
}
