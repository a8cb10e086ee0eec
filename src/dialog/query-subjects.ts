// The subjects a follow-up's answer counts: the query's, added to, corrected, or asked about alone.
import type { FactValue } from '../../policy/index.js';
import type { Nlu, Parse } from '../nlu/index.js';
import type { SubjectKind } from '../nlu/subjects.js';
import {
  contextualFacts, countedSubjects, fieldsOfMeasure, kindOf, withSharedFacts,
} from './follow-up-reading.js';
import { carriedSubjects } from './follow-up-subjects.js';
import { FREQUENCY_INTENT, RULE_ASPECTS, type AskedQuery } from './asked-query.js';
import type { Reading } from './turn-reading.js';

export const PLACES_COUNTED = /(?:\d+|[一二两三四五六七八九十]+)\s*个\s*(?:区|县|市|地方)/;

/**
 * The subjects the answer counts: added to or corrected from the query's ("还有一个厂…",
 * "其中一家是复核"), else the turn's own groups, else a bare count ("两家呢") of the query's kind.
 */
export function subjectsWithQuery(nlu: Nlu, r: Reading, measure: string, intent: string, facts: Record<string, FactValue>): Parse['subjects'] {
  const kind = kindOf(nlu, measure);
  // (The query's subjects are of its own measure's kind: "集群那个单独是多少" after events and a cluster counts no events.)
  const ownKind = kindOf(nlu, r.targetMeasure) === kind;
  const earlier = (ownKind ? r.target.subjects : undefined) ?? [{ count: 1, facts: r.target.facts, text: r.target.said ?? '' }];
  // (A part's words are read as the measure reads them: "国家级只有一个" after clusters is a cluster's level.)
  const fields = [...nlu.doc.profileFields, ...nlu.doc.questionFields].map((f) => f.field);
  const partFacts = (t: string) => ({ ...nlu.factsFor(t, fields), ...contextualFacts(nlu, measure, t) });
  // "两个都有 一共多少" after "省级集群奖多少" → "那国家级的呢": one of each level asked about.
  const levels = kind && bothLevels(nlu, r, measure);
  if (levels && kind) return { [kind]: { shared: {}, groups: levels.map((f) => ({ kind, count: 1, text: levelName(nlu, measure, f), facts: f, looseYuan: [] })) } };
  const carried = kind ? carriedSubjects(nlu, r.p, earlier, { ...r.extra, ...r.own }, kind, r.target.said, partFacts) : undefined;
  if (carried && kind) return { [kind]: { shared: {}, groups: carried } };
  // "阮两间厂攏是…头回省专精特新" → "攏是工信企业": the subjects counted before, with what the turn adds said of all.
  // Only when the turn asks about amounts, conditions or how often (its answer shows their sum), and
  // not when it gives a value they already have otherwise ("省里给的是八十万…" is a question of its own).
  const counted = ownKind ? r.target.subjects : undefined;
  const said = { ...r.extra, ...r.own };
  const restates = counted?.some((g) => Object.entries(said).some(([f, v]) => g.facts[f] !== undefined && g.facts[f] !== v));
  // ("两个区加起来呢" after a cluster in each of two districts counts those places again, not new clusters.)
  // ("两家加起来一共多少" after one firm and then another: the count of those already counted, asked as a total.)
  // (The count itself, "两场", is no new fact of them, though one of them said "还有一场".)
  const totalAgain = counted !== undefined && counted.length > 1 && r.counted === counted.reduce((n, g) => n + g.count, 0)
    && Object.entries(said).every(([f, v]) => v === r.counted && nlu.doc.fieldKind(f) === 'count')
    && nlu.lexicon.statedTotalCues.some((w) => r.p.text.includes(w));
  const placesAgain = (kind === 'cluster' && counted?.length === r.counted && PLACES_COUNTED.test(r.p.text)) || totalAgain;
  if (kind && counted?.length && (!restates || totalAgain) && (RULE_ASPECTS.has(intent) || intent === FREQUENCY_INTENT) && (r.counted === undefined || placesAgain) && (!Object.keys(r.p.subjects).length || placesAgain) && measure === r.targetMeasure) {
    return { [kind]: { shared: {}, groups: counted.map((g) => ({ kind, count: g.count, text: g.text, facts: { ...g.facts, ...said }, looseYuan: [] })) } };
  }
  // The turn's own groups keep their facts to themselves: "有一场只来了三家银行" is not said of the rest.
  if (r.counted === undefined || Object.keys(r.p.subjects).length) return withSharedFacts(r.p.subjects, { ...r.target.facts, ...r.extra });
  return countedSubjects(nlu, measure, r.counted, facts);
}

/** The fields that tell a measure's levels apart: an enterprise's tier, a cluster's level. */
export const levelFields = (nlu: Nlu, measure: string) => [...fieldsOfMeasure(nlu, measure)].filter((f) => ['tier', 'enum'].includes(nlu.doc.fieldKind(f) ?? ''));

/** Whether a turn moved the topic to another level of the same measure ("那国家级的呢"). */
export function levelChanged(nlu: Nlu, measure: string, before: Record<string, FactValue>, after: Record<string, FactValue>): boolean {
  return levelFields(nlu, measure).some((f) => before[f] !== undefined && after[f] !== undefined && before[f] !== after[f]);
}

/** The facts of each level, when a turn asks about both levels the topic has been asked at. */
export function bothLevels(nlu: Nlu, r: Reading, measure: string): Record<string, FactValue>[] | undefined {
  const { p, target } = r;
  if (!target.levelBefore || measure !== r.targetMeasure || r.hasOwnFacts || Object.keys(r.extra).length) return undefined;
  const text = p.text.toLowerCase();
  const both = nlu.lexicon.bothLevelsCues.some((w) => text.includes(w)) && nlu.lexicon.statedTotalCues.some((w) => text.includes(w));
  return both ? [target.levelBefore, target.facts] : undefined;
}

/** A level as people name it, to label its part of an answer: "省级专精特新", "国家级集群". */
export function levelName(nlu: Nlu, measure: string, facts: Record<string, FactValue>): string {
  for (const f of levelFields(nlu, measure)) {
    const v = facts[f];
    if (v === undefined) continue;
    const name = nlu.doc.fieldKind(f) === 'tier' ? nlu.doc.tiers.find((t) => t.id === v)?.aliases[0] : nlu.lexicon.fieldCues[`${f}.${String(v)}`]?.[0];
    if (name) return name;
  }
  return '';
}

/**
 * The subjects a turn adds to the query's, when it asks about them and not about all together
 * ("另一家省里奖了四十呢"; not "还有一家也是首次 两家一共呢", "加起来多少").
 */
// ("两家一共呢": the subjects counted; "四家银行" counts attendance, not events.)
export const COUNT_WORD: Record<SubjectKind, string> = { enterprise: '(?:家|间)(?!银行|金融)', event: '场', cluster: '个' };

export type SubjectsOfKind = NonNullable<Parse['subjects'][keyof Parse['subjects']]>;

export function addedAlone(nlu: Nlu, r: Reading, kind: SubjectKind, all: SubjectsOfKind | undefined): SubjectsOfKind | undefined {
  const before: { facts: Record<string, FactValue>; count?: number }[] = r.target.subjects ?? [{ facts: r.target.facts }];
  if (!all || all.groups.length <= before.length) return undefined;
  // (The same groups before, not one of them split: "要是其中2场银行只来4家呢" is about the parts of all.)
  if (!all.groups.slice(0, before.length).every((g, i) => g.facts === before[i].facts && g.count === (before[i].count ?? 1))) return undefined;
  const text = r.p.text;
  // ("我们还有个分公司是24年认定的 也能拿吗": asked along with the ones before.)
  const asks = /呢[?？\s]*$/.test(text) || (r.p.isQuestion && !text.includes('也'));
  const together = [...nlu.lexicon.statedTotalCues, ...nlu.lexicon.countTotalCues, ...nlu.lexicon.eachCues, '一起'].some((w) => text.includes(w)) || new RegExp(`[两二三四五六七八九十几]\\s*${COUNT_WORD[kind]}`).test(text);
  return asks && !together ? { ...all, groups: all.groups.slice(before.length) } : undefined;
}

/** A remembered query's subjects as a parse holds them: the groups of the kind its measure counts. */
export function subjectsOfQuery(nlu: Nlu, q: AskedQuery): Parse['subjects'] {
  const kind = kindOf(nlu, q.measures[0]);
  if (!kind || !q.subjects?.length) return {};
  return { [kind]: { shared: {}, groups: q.subjects.map((g) => ({ kind, count: g.count, text: g.text, facts: g.facts, looseYuan: [] })) } };
}
