// How a turn reads against the query before it: the facts it gives by a bare value, the subjects it
// counts, and whether it leans on the conversation at all. Pure functions of the NLU and the parse.
import { ruleFieldNames, type FactValue } from '../../policy/index.js';
import { FALLBACK, type Nlu, type Parse } from '../nlu/index.js';
import { numberMentions } from '../nlu/numbers.js';
import type { SubjectKind } from '../nlu/subjects.js';
import { SUBJECT_OF_AUDIENCE } from './answers.js';

const measureFields = new WeakMap<Nlu, Map<string, ReadonlySet<string>>>();

/** The fields a measure's award rules read: found once per NLU and measure (a turn asks twice or more). */
export function fieldsOfMeasure(nlu: Nlu, measure: string): ReadonlySet<string> {
  let byMeasure = measureFields.get(nlu);
  if (!byMeasure) measureFields.set(nlu, (byMeasure = new Map()));
  let fields = byMeasure.get(measure);
  if (!fields) {
    fields = new Set(nlu.doc.rulesFor(measure).flatMap(ruleFieldNames));
    // Only the document's measures are remembered: the map cannot grow past them.
    if (nlu.doc.measure(measure)) byMeasure.set(measure, fields);
  }
  return fields;
}

/**
 * Facts a follow-up gives by a bare value that only makes sense for the measure in context:
 * "那省级的呢" after a cluster question is a cluster level, after a 小巨人 question a tier.
 */
export function contextualFacts(nlu: Nlu, measure: string, text: string): Record<string, FactValue> {
  const doc = nlu.doc;
  const out: Record<string, FactValue> = {};
  const fields = fieldsOfMeasure(nlu, measure);
  const cues = nlu.lexicon.fieldCues;
  const figureFields = [...fields].filter((f) => doc.fieldKind(f) === 'count' || doc.fieldKind(f) === 'yuan');
  // "是25年1月" after a question on the 10万: a year is when the enterprise was recognised.
  const readFields = [...fields].filter((f) => doc.fieldKind(f) === 'count' || doc.fieldKind(f) === 'yuan' || doc.fieldKind(f) === 'year');
  // A measure with no such field gets nothing from factsFor, which normalises and extracts the text again.
  if (readFields.length) Object.assign(out, nlu.factsFor(text, readFields));
  // ("那就是总共五十万了": a total said back is the answer's figure, not a value of the case.)
  if (STATED_TOTAL.test(text)) for (const f of Object.keys(out)) if (doc.fieldKind(f) === 'yuan') delete out[f];
  for (const field of fields) {
    // Profile fields ("tier") and question fields ("clusterLevel") alike.
    const def = doc.field(field) ?? doc.questionFields.find((f) => f.field === field);
    if (!def) continue;
    if (def.kind === 'enum') {
      const values = 'values' in def ? (def.values as string[] | undefined) : undefined;
      // "省级那个其实没成功": said not granted, whatever level it names.
      const not = values?.includes('none') && (cues[`${field}.not`] ?? []).some((w) => text.includes(w));
      const value = not ? 'none' : values?.find((v) => (cues[`${field}.${v}`] ?? []).some((w) => text.includes(w)));
      if (value) out[field] = value;
    } else if (def.kind === 'tier') {
      // "如省级财政奖励为一百万元": 省级 there names whose award it is, not the asker's level.
      const withoutAwardWords = figureFields.filter((f) => doc.fieldKind(f) === 'yuan').flatMap((f) => cues[f] ?? []).filter((w) => w.length >= 3)
        .reduce((t, w) => t.split(w).join(' '), text);
      const tier = doc.tiers.filter((t) => t.id !== 'none').find((t) => [...t.aliases, ...t.answerAliases].some((a) => a.length >= 2 && withoutAwardWords.includes(a)));
      if (tier) out[field] = tier.id;
    }
  }
  return out;
}

// ("两年加起来四百万 今年单年一百八十万" gives values; said back, the total ends on 了 or asks to be confirmed.)
export const STATED_TOTAL = /(?:总共|一共|合计|加起来|总计|共计)[^，,。\d一二两三四五六七八九十]{0,3}[\d一二两三四五六七八九十][^，,。]{0,6}(?:了|吧|对吗|是吗|没错)[?？\s]*$/;

// A bare figure is read in the units of the figure it changes: "230" after "320万", "29家" after 30 firms.
const FIGURE_SCALES = [1, 10_000];
// "不是320是230", "不是30家 是29家".
const NOT_THIS_BUT = /不是[^，,。]{0,8}?(?:是|而是|，|,|\s)/;

/**
 * "要是29家呢" after 30 firms and 5 banks, "不是320是230 打错了" after 320万: a figure without the
 * words that say what it is, changing one the query already has. The figure it replaces is the one
 * it names ("不是320"), else the one nearest to it: 29 changes the 30 firms, not the 5 banks.
 */
export function replacedFigures(nlu: Nlu, text: string, facts: Record<string, FactValue>): Record<string, FactValue> {
  const l = nlu.lexicon;
  const numeric = Object.entries(facts).filter((e): e is [string, number] => typeof e[1] === 'number' && ['count', 'yuan'].includes(nlu.doc.fieldKind(e[0]) ?? ''));
  const figures = numberMentions(text).filter((m) => m.kind === 'bare' || (m.kind === 'count' && m.unit === '家'));
  if (!numeric.length || !figures.length || figures.length > 2) return {};
  if (figures.length === 2) {
    if (!NOT_THIS_BUT.test(text.slice(0, figures[1].start))) return {};
    const [was, now] = figures;
    for (const [field, value] of numeric) {
      const scale = FIGURE_SCALES.find((k) => was.value * k === value);
      if (scale) return { [field]: now.value * scale };
    }
    return {};
  }
  if (!l.hypotheticalCues.some((w) => text.includes(w)) && !l.corrections.some((w) => text.includes(w))) return {};
  const [figure] = figures;
  // The nearest by ratio, within a factor of two; two fields as near leave the figure unread.
  const near = numeric.flatMap(([field, value]) => FIGURE_SCALES.map((k) => ({ field, scaled: figure.value * k, distance: Math.abs(Math.log((figure.value * k) / value)) })))
    .filter((c) => Number.isFinite(c.distance) && c.distance <= Math.LN2)
    .sort((a, b) => a.distance - b.distance);
  if (!near.length || (near[1] && near[1].field !== near[0].field && near[1].distance === near[0].distance)) return {};
  return { [near[0].field]: near[0].scaled };
}

const NUM = '(\\d+|[一二两三四五六七八九十]+)';
const COUNTED: Record<string, RegExp> = {
  enterprise: new RegExp(`${NUM}\\s*(?:家|间|个(?=子公司|公司|厂|分公司))(?!银行|金融)`),
  event: new RegExp(`${NUM}\\s*场`),
  cluster: new RegExp(`${NUM}\\s*个`),
};

/** "两家呢", "还有两家子公司也是": how many subjects a follow-up counts, the asker included when it adds. */
export function followUpCount(nlu: Nlu, text: string, measure: string): number | undefined {
  const kind = kindOf(nlu, measure);
  // "来了42家企业、7家银行" is attendance, not a count of askers.
  if (!kind || (kind === 'enterprise' && /银行|对接|参会/.test(text))) return undefined;
  const m = COUNTED[kind].exec(text);
  // "第三场": one of them by its place, not a count.
  if (!m || text[m.index - 1] === '第') return undefined;
  const n = /^\d/.test(m[1]) ? Number(m[1]) : ({ 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 } as Record<string, number>)[m[1]];
  if (!n || n > 50) return undefined;
  const adds = nlu.lexicon.subjectAddCues.some((w) => text.includes(w));
  return adds ? n + 1 : n;
}

/** What the measure's rules count (enterprises, events, clusters), as the answers read it. */
export function kindOf(nlu: Nlu, measure: string): SubjectKind | undefined {
  const audience = nlu.doc.rulesFor(measure)[0]?.audience;
  return audience ? SUBJECT_OF_AUDIENCE[audience][0] : undefined;
}

/** One group of counted subjects of the kind the measure's rules pay. */
export function countedSubjects(nlu: Nlu, measure: string, count: number, facts: Record<string, FactValue>): Parse['subjects'] {
  const kind = kindOf(nlu, measure);
  if (!kind) return {};
  return { [kind]: { shared: facts, groups: [{ kind, count, text: '', facts: {}, looseYuan: [] }] } };
}

/** The turn's own groups, sharing the conversation's facts under the turn's own shared ones. */
export function withSharedFacts(subjects: Parse['subjects'], facts: Record<string, FactValue>): Parse['subjects'] {
  // (A value one of the turn's groups holds is its own: "有一场只来了三家银行" says nothing of the other two.)
  return Object.fromEntries(Object.entries(subjects).map(([kind, s]) => {
    const owned = new Set(s.groups.flatMap((g) => Object.keys(g.facts)));
    const shared = Object.fromEntries(Object.entries(facts).filter(([f, v]) => !owned.has(f) || !s.groups.some((g) => g.facts[f] === v)));
    return [kind, { ...s, shared: { ...shared, ...s.shared } }];
  }));
}

/** The most likely measure question, by the model, when it thought the message global. */
export function bestMeasureIntent(p: Parse, scopes: ReadonlyMap<string, string>): { label: string; probability: number } | undefined {
  // The first of the highest, in the scores' order (what a stable sort would put first), without sorting.
  let best: { label: string; probability: number } | undefined;
  for (const label of Object.keys(p.intentScores)) {
    const probability = p.intentScores[label];
    if (scopes.get(label) === 'measure' && (!best || probability > best.probability)) best = { label, probability };
  }
  return best;
}

const levelAndFiller = new WeakMap<Nlu, string[]>();

/** Level names, follow-up cues, self words and fillers, longest first: built once per NLU. */
function levelAndFillerWords(nlu: Nlu): string[] {
  let words = levelAndFiller.get(nlu);
  if (!words) {
    const l = nlu.lexicon;
    words = [...nlu.doc.tiers.flatMap((t) => [...t.aliases, ...t.answerAliases]), ...l.followUpCues, ...l.selfWords, ...l.fillerWords]
      .filter((w) => w.length > 0).sort((a, b) => b.length - a.length);
    levelAndFiller.set(nlu, words);
  }
  return words;
}

/** Nothing but a level's name and follow-up words ("小巨人呢", "那省级的呢"), not a question of its own. */
export function littleElse(nlu: Nlu, text: string): boolean {
  const names = levelAndFillerWords(nlu);
  let rest = text.replace(/[\s,.;!?，。？！]+/g, '');
  for (const w of names) rest = rest.split(w).join('');
  return rest.length <= 3;
}

/** Follow-up cues: the message leans on what came before ("那省级的呢", "这个归谁管"). */
export function leansOnContext(nlu: Nlu, p: Parse): boolean {
  const t = p.text.replace(/[\s,.;!?，。？！]+/g, '');
  return nlu.lexicon.followUpCues.some((w) => t.startsWith(w) || t.endsWith(w));
}

/** "找市工信局对接是吧", "最多就这么多对吧": a guess put forward to be confirmed, at the end of a message. */
export function endsConfirming(nlu: Nlu, text: string): boolean {
  const end = text.replace(/[\s,.;!?，。？！]+$/, '');
  return nlu.lexicon.confirmingEnds.some((w) => end.endsWith(w));
}

/**
 * A short question the model could place nowhere ("钱发给谁", "按什么标准补", "多少钱没写吗"):
 * alone it would fall back, in a conversation it asks about the topic before it. Questions with
 * words of other domains ("那我个税能退吗") stay out of scope.
 */
export function shortQuestionInContext(nlu: Nlu, p: Parse): boolean {
  const bare = p.text.replace(/[\s,.;!?，。？！]+/g, '');
  // ("最多就这么多对吧", "我们长乐区的也算吧": a guess put forward to be confirmed asks too.)
  const asks = p.isQuestion || endsConfirming(nlu, p.text) || nlu.lexicon.askingWords.some((w) => p.text.includes(w));
  // (An English word is one word, however many letters: "at least要多少家companies".)
  if (bare.replace(/[a-z]+/gi, 'a').length > 12 || !asks || p.otherPlace || nlu.lexicon.outsideCues.some((w) => p.text.includes(w))) return false;
  const social = p.intent === FALLBACK || p.intent === 'greeting' || p.intent === 'thanks' || p.intent === 'help';
  // "对了 这个文件哪天失效": a document question in its own cue words is not about the topic before it.
  return social ? p.confidence < 0.75 : nlu.intentScopes.get(p.intent) !== 'measure' && p.confidence < 0.6 && !p.asksForCheck && !p.cueIntents.includes(p.intent);
}
