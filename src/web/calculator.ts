import { formatChineseDate, formatYuan, type AwardOutcome, type PolicyDocument } from '../../policy/index.js';
import { daysBetween, measureSentences, todayIn } from '../dialog/answers.js';
import { newCheck, outcomesOf, resultOf } from '../dialog/eligibility.js';
import type { Replies } from '../dialog/replies.js';
import { EligibilityBody } from '../server/schemas.js';

export type Profile = Record<string, string | number | boolean>;

const WAN = 10_000;

/** The form's values (strings, amounts in 万元) as the profile POST /api/eligibility takes, or the first problem in Chinese. */
export function profileFromForm(doc: PolicyDocument, form: Record<string, string | undefined>): { profile?: Profile; error?: string } {
  const raw: Record<string, unknown> = {};
  for (const f of doc.profileFields) {
    const value = form[f.field]?.trim();
    if (!value) continue;
    switch (f.kind) {
      case 'boolean':
        if (value === 'true' || value === 'false') raw[f.field] = value === 'true';
        break;
      case 'year':
      case 'level':
        raw[f.field] = Number(value);
        break;
      case 'yuan': {
        const wan = Number(value);
        if (!Number.isFinite(wan) || wan < 0) return { error: `“${f.label}”请填写不小于0的数字（单位：万元）` };
        raw[f.field] = Math.round(wan * WAN);
        break;
      }
      default:
        raw[f.field] = value;
    }
  }
  if (raw.tier === undefined) return {};
  const parsed = EligibilityBody.safeParse(raw);
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? '');
    return { error: `“${doc.fieldLabel(field)}”的值不正确，请检查后再算` };
  }
  return { profile: parsed.data as Profile };
}

export interface Evaluation {
  outcomes: AwardOutcome[];
  /** The same text and awards POST /api/eligibility answers. */
  reply: string;
  missing: string[];
}

/** The evaluation behind POST /api/eligibility, for a whole profile at once. */
export function evaluateProfile(doc: PolicyDocument, replies: Replies, profile: Profile): Evaluation {
  const check = { ...newCheck(), profile: { ...profile }, done: true };
  const outcomes = outcomesOf(doc, check);
  const result = resultOf(doc, replies, check, outcomes);
  const missing = [...new Set(outcomes.filter((o) => o.status === 'needs_info' || o.missing.length).flatMap((o) => o.missing))];
  return { outcomes, reply: result.text, missing };
}

/** The sentence of the measure that states the rule, verbatim. */
export function quotedSentence(doc: PolicyDocument, o: AwardOutcome): string {
  return measureSentences(doc, o.rule.measure).find((s) => s.includes(o.rule.quote)) ?? o.rule.quote;
}

/**
 * What would change a "no" into a "yes": a rule failed only on amounts below its threshold
 * says how much more is needed ("技改…投资额再增加50万元即可达到…门槛").
 */
export function whatWouldChange(doc: PolicyDocument, o: AwardOutcome, profile: Profile): string | undefined {
  if (o.outOfScope) return undefined;
  if (o.status === 'needs_info') {
    const fields = o.missing.map((f) => `“${doc.fieldLabel(f)}”`).join('、');
    return fields ? `补充${fields}后即可确定` : undefined;
  }
  if (o.status !== 'not_eligible') return undefined;
  const failed = o.rule.when.filter((c) => {
    const v = profile[c.field];
    if (v === undefined) return false;
    if (c.in) return !c.in.includes(String(v));
    if (c.equals !== undefined) return v !== c.equals;
    return c.min !== undefined && !(typeof v === 'number' && v >= c.min);
  });
  if (!failed.length || !failed.every((c) => c.min !== undefined && typeof profile[c.field] === 'number')) return undefined;
  return failed.map((c) => {
    const gap = c.min! - (profile[c.field] as number);
    const amount = doc.fieldKind(c.field) === 'yuan' ? formatYuan(gap) : String(gap);
    return `${doc.fieldLabel(c.field)}再增加${amount}即可达到“${o.rule.title}”的门槛`;
  }).join('；');
}

export interface Validity {
  title: string;
  status: string;
  validUntil: string;
  daysLeft: number;
  /** "有效期至2026年12月31日，还有30天" or "已于…到期". */
  text: string;
}

export function validityOf(doc: PolicyDocument, now: number): Validity {
  const daysLeft = daysBetween(todayIn(now), doc.validUntil);
  const until = formatChineseDate(doc.validUntil);
  const text = daysLeft > 0 ? `有效期至${until}，还有${daysLeft}天` : daysLeft === 0 ? `有效期至${until}，今天是最后一天` : `已于${until}到期（${-daysLeft}天前）`;
  return { title: doc.title, status: doc.status, validUntil: until, daysLeft, text };
}
