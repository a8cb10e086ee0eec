import type { FactValue } from '../../policy/index.js';
import { numberMentions } from './numbers.js';
import type { SubjectGroup } from './subjects.js';

type Facts = Record<string, FactValue>;

/** Whether the amount is said as a sum ("一共给了一百八十万", "省奖金合计一百二十万"), not of each. */
function saidAsTotal(words: string, value: number, totalCues: readonly string[]): boolean {
  return numberMentions(words).some((m) => m.kind === 'yuan' && m.value === value
    && totalCues.some((c) => words.slice(Math.max(0, m.start - c.length - 3), m.start).includes(c)));
}

/**
 * "两家小巨人都是首次 省里一共给了一百八十万": an amount a group's members each have, said as
 * their sum, is shared out among them (90万 each), so that each member's award reads its own part.
 * Amounts that add up across a message (an investment) are left as they are.
 */
export function sharedOutTotals(
  text: string, groups: SubjectGroup[], shared: Facts, perMember: (field: string) => boolean, totalCues: readonly string[],
): { groups: SubjectGroup[]; shared: Facts } {
  const split = (facts: Facts, words: string, count: number): Facts | undefined => {
    const fields = Object.keys(facts).filter((f) => perMember(f) && typeof facts[f] === 'number' && saidAsTotal(words, facts[f] as number, totalCues));
    return fields.length ? { ...facts, ...Object.fromEntries(fields.map((f) => [f, Math.round((facts[f] as number) / count)])) } : undefined;
  };
  const out = groups.map((g) => (g.count > 1 && g.text ? { ...g, facts: split(g.facts, g.text, g.count) ?? g.facts } : g));
  // One count for everyone ("两家…都是首次"): the whole message's amount is theirs.
  // ("两家…省里一共给了两百万 两家平分的": a count whose own words say nothing of their amounts too.)
  const only = groups.length === 1 && groups[0].count > 1 && !Object.keys(groups[0].facts).length ? groups[0] : undefined;
  return { groups: out, shared: (only && split(shared, text, only.count)) ?? shared };
}
