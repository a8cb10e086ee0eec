import type { FactValue, PolicyDocument, TierId } from '../../policy/index.js';
import type { Lexicon } from './knowledge.js';
import { numberMentions, parseNumeral, RELATIVE_YEARS, type NumberMention } from './numbers.js';

/** Everything a message carries, before deciding what it is for. */
export interface Slots {
  /** Facts attributed to profile or question fields ("techInvestment" → 3500000). */
  facts: Record<string, FactValue>;
  /** Fields the message says the sender does not know ("不清楚" to the pending question). */
  unknownFields: string[];
  percent?: number;
  /** Measure ids named explicitly ("第四条", "措施三", "第3.1条"). */
  measureRefs: string[];
  /** A short answer's polarity (是/不是), when the message is one. */
  yesNo?: boolean;
  command?: 'cancel' | 'restart' | 'back';
  correction: boolean;
  numbers: NumberMention[];
  /** An amount given with VAT and its rate, and what it is without VAT ("含税339万，税率13%" → 300万). */
  netOfVat?: { field: string; gross: number; rate: number; net: number };
  /** Further amounts of a field that is not a sum ("省奖分别60万、75万"): one per subject. */
  moreYuan: Record<string, NumberMention[]>;
}

/** The fact a named level ("小巨人", "省级专精特新") is written to. */
export const TIER_FIELD = 'tier';

export interface ExtractContext {
  /** The question the dialog is waiting on: bare answers ("是", "350", "二级") belong to it. */
  pendingField?: string;
  /** Relative years ("去年") resolve against this. */
  currentYear: number;
  /** The whole question, when only a part of it is being read ("一个国家级，一个省级集群"). */
  question?: string;
  /** Fields the conversation is already about: their numbers need no topic word ("是三十五家企业"). */
  topicFields?: readonly string[];
}

// "增值税13%", "税率13%", "13个点的专票".
const VAT_RATE = /(?:增值税|税率|税点)[^\d，,。]{0,4}(\d{1,2})\s*(?:%|个点)|(\d{1,2})\s*(?:%|个点)(?:的)?(?:增值税|税率|专票|税)/;
/** An amount with VAT taken out, to the hundred yuan ("339万 at 13%" → 300万). */
const withoutVat = (gross: number, rate: number) => Math.round(gross / (1 + rate / 100) / 100) * 100;
const CLAUSE_SPLIT = /[,.;!?:，。；！？：\n]/;
// The relative years numbers.ts knows, longest first ("大前年" before "前年"), or a written year.
const YEAR_WORD = new RegExp(`${Object.keys(RELATIVE_YEARS).sort((a, b) => b.length - a.length).join('|')}|(?:19|20)?\\d{2}年`, 'g');
const WORD_BREAK = /[\s,.;!?:，。；！？：]/;

/** The last year a text names ("去年", "2025年"), as said. */
function yearWordIn(text: string): string | undefined {
  return text.match(YEAR_WORD)?.at(-1);
}

/** The year named in the words just before a position, back to the last break (a space too). */
function yearJustBefore(text: string, at: number): string | undefined {
  return yearWordIn(text.slice(0, at).split(WORD_BREAK).pop() ?? '');
}

const isThisYear = (word: string | undefined) => word !== undefined && RELATIVE_YEARS[word] === 0;
const PUNCTUATION = /[\s,.;!?:~，。；！？：、…]+/g;
const STRIP_FOR_ANSWER = /[\s,.;!?:~，。；！？：、…]+|(的|啊|呀|吧|呢|哦|哈|嘛|了)$/g;

export interface Extractor {
  extract(text: string, ctx: ExtractContext): Slots;
}

interface TierName {
  id: TierId;
  alias: string;
}

const byLengthDesc = <T>(key: (x: T) => string) => (a: T, b: T) => key(b).length - key(a).length;

/**
 * Everything the extractor looks for is prepared once here, from the policy document (which
 * fields exist, their kinds, tier names) and the lexicon (cue words): a new yuan, year or
 * boolean field needs only data.
 */
export function createExtractor(doc: PolicyDocument, lexicon: Lexicon): Extractor {
  const cues = lexicon.fieldCues;
  const allFields = [...doc.profileFields, ...doc.questionFields];
  const fieldsOf = (kind: string) => allFields.filter((f) => f.kind === kind).map((f) => f.field);
  const yuanFields = fieldsOf('yuan');
  const yearField = fieldsOf('year')[0];
  const levelField = fieldsOf('level')[0];
  const booleanFields = fieldsOf('boolean');
  // Each boolean field's cues, and its yes-cues that contain a no-cue ("不是复核" holds "复核"): found
  // once here, not on every message (845 substring tests, about 12 µs, per extraction).
  const booleanCues = booleanFields.map((field) => {
    const no = cues[`${field}No`] ?? [];
    const yes = cues[`${field}Yes`];
    return { field, yes, no, yesAround: (yes ?? []).filter((y) => no.some((w) => y.includes(w))) };
  });
  const countFields = fieldsOf('count');
  const enumFields = doc.questionFields.filter((f) => f.kind === 'enum' && f.values?.length);
  const percentWords = Object.entries(cues).filter(([k]) => k.startsWith('percent.')).map(([k, words]) => ({ value: Number(k.slice(8)), words }));

  const anywhere: TierName[] = doc.tiers.flatMap((t) => t.aliases.map((alias) => ({ id: t.id, alias }))).sort(byLengthDesc((x) => x.alias));
  const asAnswer: TierName[] = doc.tiers
    .flatMap((t) => [...t.aliases, ...t.answerAliases].map((alias) => ({ id: t.id, alias })))
    .sort(byLengthDesc((x) => x.alias));
  const selfStatements = doc.tiers
    .filter((t) => t.id !== 'none')
    .flatMap((t) => t.answerAliases.map((alias) => ({ id: t.id, re: new RegExp(`(${lexicon.selfWords.join('|')})(是|属于)[^,，.?？]{0,4}${alias}`) })));
  // A year next to a tier name ("2025年的省级专精特新") is the recognition year.
  const recognitionWords = [...(cues[yearField ?? ''] ?? []), ...doc.tiers.filter((t) => t.id !== 'none').flatMap((t) => [...t.aliases, ...t.answerAliases])];
  const answerWords = [...lexicon.answers.yes.map((w) => [w, true] as const), ...lexicon.answers.no.map((w) => [w, false] as const)]
    .sort(byLengthDesc(([w]) => w));

  const PART_NAMED = /第\s*(?:\d+|[一二两三四五六七八九十]+)\s*(?:场|次|家|个)/;
  const APPROXIMATE_AFTER = /^\s*(?:出头|左右|上下|多|来)/;
  const NEXT_COUNT = /^\s*(?:\d+|[一二两三四五六七八九十]+)\s*(?:家|个|间)?\s*/;
  const ARRIVED_BEFORE = /(?:来了|到了|到场|来|到)\s*$/;
  const SIGNED_UP = /报名(?:了)?\s*$/;
  const ACTUALLY_CAME = /实际|实到|到场|到会/;
  const includesAny = (text: string, words: readonly string[] | undefined) => (words ?? []).some((w) => text.includes(w));
  // Right after a count and what it counts: "两家银行联合牵头…", "3家单位共同主办".
  // "三个兄弟单位合办…" too: a few words may qualify the noun.
  const organiserAfter = new RegExp(`^\\s*[^\\s，,。\\d]{0,3}?(?:银行|金融机构|单位|企业|公司)\\s*(?:${lexicon.organiserCues.join('|')})`);

  function tierOf(text: string, answer: string, pendingTier: boolean, partOfQuestion: boolean): TierId | undefined {
    if (pendingTier) {
      const said = asAnswer.find((x) => answer === x.alias) ?? asAnswer.find((x) => x.alias.length >= 2 && text.includes(x.alias));
      if (said) return said.id;
    }
    const self = selfStatements.find((s) => s.re.test(text))?.id;
    const named = tiersNamed(text);
    // "三家首次小巨人…另外两家申报省级专精特新还没出结果": one of several subjects has applied for
    // its level, not yet got it. (Asked of the asker alone, the answer says what the level would get.)
    if (partOfQuestion && named.length === 1 && includesAny(text, cues['tier.not'])) return 'none';
    // "小巨人配套、省专精特新奖励各多少": two levels named are topics, not the asker's level.
    return named.length === 1 ? named[0] : self;
  }

  /** The distinct levels a text names, each by its longest alias ("国家级专精特新" is not also "专精特新"). */
  function tiersNamed(text: string): TierId[] {
    let rest = text;
    const ids: TierId[] = [];
    for (const x of anywhere) {
      if (!rest.includes(x.alias)) continue;
      rest = rest.split(x.alias).join(' ');
      if (!ids.includes(x.id)) ids.push(x.id);
    }
    return ids;
  }

  function yesNoOf(answer: string): boolean | undefined {
    if (lexicon.answers.unknown.some((w) => answer.startsWith(w))) return undefined;
    // Longest word first: "不是" must beat "是", and "没错" must beat "没".
    // A Latin answer word must stand alone ("n" is no, "NaN" is not); Chinese ones may lead a sentence.
    return answerWords.find(([w]) => answer === w || (answer.startsWith(w) && answer.length <= w.length + 12 && !(/^[a-z]+$/.test(w) && /^[a-z]/.test(answer.slice(w.length)))))?.[1];
  }

  function commandOf(compact: string): Slots['command'] {
    const is = (words: string[]) => words.some((w) => compact === w || (compact.startsWith(w) && compact.length <= w.length + 4));
    if (is(lexicon.commands.cancel)) return 'cancel';
    if (is(lexicon.commands.restart)) return 'restart';
    if (is(lexicon.commands.back)) return 'back';
    return undefined;
  }

  /** Which count field a number counts: the cue nearest after it, else a noun elsewhere in its clause. */
  function countFieldOf(text: string, n: NumberMention, clause: string, ctx: ExtractContext): string | undefined {
    const window = text.slice(n.end - (n.unit ? 1 : 0), n.end + 5).split(CLAUSE_SPLIT)[0];
    // "六家客户", "三家子公司": the noun after the figure counts no field, whatever else the clause names.
    const after = text.slice(n.end).trimStart();
    if (lexicon.otherCountedNouns.some((w) => after.startsWith(w))) return undefined;
    let best: { field: string; at: number } | undefined;
    for (const field of countFields) {
      // A field counted by measure words ("场", "次") takes only its own: "三家首次…" counts no events.
      const measureWords = (cues[field] ?? []).filter((w) => w.length === 1);
      if (measureWords.length && n.unit && !measureWords.includes(n.unit)) continue;
      for (const w of cues[field] ?? []) {
        const at = window.indexOf(w);
        if (at !== -1 && (!best || at < best.at)) best = { field, at };
      }
    }
    // "40家企业6家银行": the noun right after the count names it; "企业47家 银行7家": the noun right before,
    // also when the noun after has its own figure ("企业来了48家银行只有两家").
    // "报名40家企业 实际到场28家": those who signed up are not the attendance when the ones who came are said.
    if (SIGNED_UP.test(text.slice(Math.max(0, n.start - 4), n.start)) && ACTUALLY_CAME.test(text.slice(n.end))) return undefined;
    const before = nounBefore(text, n);
    // "实际到场28家 银行6家": who came, with the next noun's own figure after it.
    const arrived = cameWithoutNoun(text, n);
    const nounAfterHasFigure = best !== undefined && ((before !== undefined && before !== best.field) || arrived !== undefined)
      && /^[^\d一二两三四五六七八九十，,。]{0,4}(?:\d+|[一二两三四五六七八九十]+)\s*家/.test(text.slice(n.end + best.at + 1));
    const field = (best && best.at <= 1 && !nounAfterHasFigure ? best.field : undefined) ?? before ?? (nounAfterHasFigure ? arrived : undefined)
      ?? pairedWithNext(text, n)
      // A noun elsewhere in the clause counts only what 家 counts: "一个国家级集群" is no attendance.
      // "一家牵头办了三场对接会": one enterprise, not an attendance of one, unless the noun follows the figure.
      ?? (n.value === 1 && n.unit === '家' ? undefined : best?.field ?? (n.unit === '个' ? undefined : countFields.find((f) => (cues[f] ?? []).some((w) => w.length >= 2 && clause.includes(w)))))
      ?? arrived
      // "其实30家" after a question about an event's attendance: banks come in single figures.
      // ("第三场刚好三十家也算？" asks of one part: the parts' own reading has it.)
      ?? (n.unit === '家' && n.value >= 10 && !PART_NAMED.test(text) ? lexicon.countPairs.find(([first]) => ctx.topicFields?.includes(first))?.[0] : undefined);
    // "6家制造业企业去深圳参展" counts exhibitors, not the attendance of a matchmaking event.
    const context = cues[`${field}.context`];
    // The topic word must be near: "3家工信企业…还办了对接会" counts enterprises, not attendance.
    const near = text.slice(Math.max(0, n.start - 16), n.end + 16);
    // "组织了一场手拉手促销活动": an event of another measure, unless its own topic is named too.
    const otherEvent = field !== undefined && includesAny(text, cues[`${field}.otherTopics`]) && !includesAny(text, cues[`${field}.ownTopics`]);
    // "两家银行联合牵头办了一场": the organisers, not the attendance.
    const organisers = organiserAfter.test(text.slice(n.end, n.end + 10));
    return field && !otherEvent && !organisers && (!context || ctx.topicFields?.includes(field) || includesAny(near, context)) ? field : undefined;
  }

  /** "一百万出头", "一百二十来万", "八十多万": a figure said roughly. */
  function approximate(text: string, n: NumberMention): boolean {
    return /来|多|几/.test(text.slice(n.start, n.end)) || APPROXIMATE_AFTER.test(text.slice(n.end));
  }

  /** "那场28家 7家银行": a bare count right before the second of a pair, named, is the first of it. */
  function pairedWithNext(text: string, n: NumberMention): string | undefined {
    const next = NEXT_COUNT.exec(text.slice(n.end));
    if (!next) return undefined;
    const rest = text.slice(n.end + next[0].length);
    return lexicon.countPairs.find(([, second]) => (cues[second] ?? []).some((w) => w.length >= 2 && rest.startsWith(w)))?.[0];
  }

  /**
   * "有一场只来了二十家": who came, without saying who, is the attendance the pair counts first
   * (参会企业); banks come in single figures, so only ten or more.
   */
  function cameWithoutNoun(text: string, n: NumberMention): string | undefined {
    if (n.unit !== '家' || n.value < 10 || !ARRIVED_BEFORE.test(text.slice(Math.max(0, n.start - 4), n.start))) return undefined;
    return lexicon.countPairs.find(([first]) => includesAny(text, cues[`${first}.context`]))?.[0];
  }

  /** "省奖60万、75万": an amount listed right after another belongs to the same field. */
  function listedAfter(text: string, n: NumberMention, previous: { n: NumberMention; field: string } | undefined): string | undefined {
    // ("分别100万 100万 50万": a space between is a list too.)
    return previous && /^(?:\s*(?:[,/、]|和|跟|及|与)\s*|\s+)$/.test(text.slice(previous.n.end, n.start)) ? previous.field : undefined;
  }

  /**
   * "一场33家5家": two bare counts side by side, in a question already about what they count,
   * read as the lexicon's count pair in order (参会企业, then 银行).
   */
  function pairedCountField(text: string, n: NumberMention, numbers: NumberMention[], ctx: ExtractContext): string | undefined {
    const i = numbers.indexOf(n);
    const next = numbers[i + 1];
    const prev = numbers[i - 1];
    const adjacent = (a: NumberMention | undefined, b: NumberMention | undefined) =>
      !!a && !!b && a.kind === 'count' && b.kind === 'count' && a.unit === b.unit && /^\s*$/.test(text.slice(a.end, b.start));
    for (const [first, second] of lexicon.countPairs) {
      const about = includesAny(text, cues[`${first}.context`]) || ctx.topicFields?.includes(first);
      if (!about) continue;
      if (adjacent(n, next) && !adjacent(prev, n)) return first;
      if (adjacent(prev, n)) return second;
    }
    return undefined;
  }

  /** A count field named right before a bare figure, in a question about what it counts. */
  function countAfterNoun(text: string, n: NumberMention): string | undefined {
    // "一共", "一起": a numeral inside a word counts nothing.
    if (n.value < 2 && !/^\d/.test(text.slice(n.start))) return undefined;
    const after = text.slice(n.end).trimStart();
    if (/^[万亿千百元块年级%]/.test(after)) return undefined;
    // "40 企业 6 银行": the noun right after the figure names it first, unless a noun before names it
    // and the one after has a figure of its own ("企业48 银行9": 48 is the enterprises').
    const before = nounBefore(text, n);
    const ownFigureAfter = (w: string) => /^\s*(?:\d|[一二两三四五六七八九十])/.test(after.slice(w.length));
    const field = countFields.find((f) => (cues[f] ?? []).some((w) => w.length >= 2 && after.startsWith(w) && !(before && ownFigureAfter(w)))) ?? before;
    if (!field) return undefined;
    const context = cues[`${field}.context`];
    return !context || includesAny(text, context) ? field : undefined;
  }

  /** The count field whose cue ends just before the number ("银行7家", "企业数：30"). */
  function nounBefore(text: string, n: NumberMention): string | undefined {
    // "每场企业都超过30家", "银行均有5家": words between the noun and its figure.
    const before = text.slice(Math.max(0, n.start - 10), n.start).replace(/(?:数|数量|有|为|是|来了|到了|到场|请了|邀请了|约了|共|一共|总共|合计|都|均|也|各|就|只|才|刚好|正好|恰好|足足|超过|达到|达|在|:|：|\s)+$/, '');
    return countFields.find((f) => (cues[f] ?? []).some((w) => w.length >= 2 && before.endsWith(w)));
  }

  /** The amount field whose cue word is in the few characters before a figure ("省里给了一百二"). */
  function yuanCueBefore(text: string, n: NumberMention): string | undefined {
    const lead = text.slice(Math.max(0, n.start - 8), n.start);
    return yuanFields.find((f) => includesAny(lead, cues[f]));
  }

  /** Which field a number belongs to: the cue words of its own clause, else the pending question. */
  function attributeNumbers(text: string, numbers: NumberMention[], ctx: ExtractContext, slots: Slots) {
    const facts = slots.facts;
    const additive = new Set(lexicon.additiveFields);
    const lastOfField = new Map<string, NumberMention>();
    const correcting = includesAny(text, lexicon.corrections);
    let previousYuan: { n: NumberMention; field: string } | undefined;
    for (const n of numbers) {
      const clause = clauseAt(text, n.start);
      if (n.kind === 'yuan') {
        const topicYuan = yuanFields.filter((f) => ctx.topicFields?.includes(f));
        const listed = listedAfter(text, n, previousYuan) !== undefined;
        const field = nearestCueField(text, n, clause, yuanFields) ?? listedAfter(text, n, previousYuan)
          ?? (yuanFields.includes(ctx.pendingField ?? '') ? ctx.pendingField : undefined) ?? (topicYuan.length === 1 ? topicYuan[0] : undefined);
        previousYuan = field ? { n, field } : undefined;
        if (!field) continue;
        // "含税330万，不含税290万": the rules count amounts without VAT; "厂房土建花了六百万", "就差一万" are not the investment.
        if (additive.has(field) && includesAny(text.slice(Math.max(0, n.start - 6), n.start).split(CLAUSE_SPLIT).pop() ?? '', lexicon.notInvestedCues)) continue;
        // "含税339万（税率13%）": with the rate said, the amount without VAT is known; without it, nothing is.
        const rate = additive.has(field) && isGross(text, n) ? vatRate(text) : null;
        if (rate === undefined) continue;
        const last = lastOfField.get(field);
        if (facts[field] === undefined) {
          facts[field] = rate === null ? n.value : withoutVat(n.value, rate);
          if (rate !== null) slots.netOfVat = { field, gross: n.value, rate, net: facts[field] as number };
          lastOfField.set(field, n);
        } else if (additive.has(field) && last && statesTotal(text, last, n)) {
          // "…加起来330万": the parts read so far are the figure; the asker's sum may include what does not count.
          continue;
        } else if (additive.has(field) && !correcting && last && typeof facts[field] === 'number' && inOtherYear(text, last, n)) {
          // "去年投了500万 今年只投了200万": the rules count one year's investment: this year's, else the larger.
          facts[field] = isThisYear(yearWordIn(text.slice(last.end, n.start))) ? n.value
            : isThisYear(yearJustBefore(text, last.start)) ? facts[field] : Math.max(facts[field] as number, n.value);
          lastOfField.set(field, n);
        } else if (additive.has(field) && !correcting && last && typeof facts[field] === 'number' && joinsAmounts(text, last, n)) {
          // "设备花了160万，信息化系统又投了150万": one year's investment in parts.
          facts[field] = (facts[field] as number) + n.value;
          lastOfField.set(field, n);
        } else if (!additive.has(field) && !listed && last && n.start - last.end <= 12 && (includesAny(text.slice(last.end, n.start), lexicon.preciseCues) || approximate(text, last))) {
          // "一百万出头 102万", "一百二十来万 精确是123万": the exact figure after a rough one is the same amount.
          facts[field] = n.value;
          lastOfField.set(field, n);
        } else if (!additive.has(field) && !correcting && (n.value !== facts[field] || listed) && !includesAny(text.slice(last?.end ?? 0, n.start), lexicon.reckonedCues)) {
          // ("分别100万 100万 50万": a figure listed again is another subject's, though the same.)
          (slots.moreYuan[field] ??= []).push(n);
        }
      } else if (n.kind === 'bare' && n.value < 1000 && countAfterNoun(text, n) !== undefined) {
        // "企业38 银行5": a figure right after what it counts.
        facts[countAfterNoun(text, n)!] ??= n.value;
      } else if ((n.kind === 'bare' || (n.kind === 'count' && n.unit === '个' && yuanCueBefore(text, n))) && n.value >= 10 && n.value < 10_000) {
        // "省里给了一百二": right after an amount's cue word, a small bare figure means 万; so does "60个" in chat.
        const field = yuanCueBefore(text, n);
        if (field && facts[field] === undefined && ctx.pendingField !== field) {
          facts[field] = n.value * 10_000;
          // "设备投了280 加上买的ERP 60万": a later part adds to it.
          lastOfField.set(field, n);
        }
      } else if (n.kind === 'year' && yearField) {
        // In one subject's own words ("另一家2024年") a year can only be when it was recognised.
        if (includesAny(clause, recognitionWords) || ctx.pendingField === yearField || ctx.question !== undefined || ctx.topicFields?.includes(yearField)) facts[yearField] ??= n.value;
      } else if (n.kind === 'level' && levelField) {
        // "从一级升到二级": the level reached is the one that counts.
        const reached = /(?:升到|升为|升级到|到了|达到|变成|现在是|评到|提到)$/.test(text.slice(Math.max(0, n.start - 4), n.start));
        if (reached) facts[levelField] = n.value;
        else facts[levelField] ??= n.value;
      } else if (n.kind === 'count') {
        if (lexicon.shortfallCues.some((w) => text.slice(Math.max(0, n.start - 2), n.start).endsWith(w))) continue;
        const field = countFieldOf(text, n, clause, ctx) ?? pairedCountField(text, n, numbers, ctx);
        // "制造业企业25家 服务业企业10家 企业总数35家": a figure said to be the total replaces the parts.
        // ("四十家是报名数 实际到场就二十家": the actual figure after another replaces it.)
        const lead = text.slice(Math.max(0, n.start - 8), n.start);
        if (field && facts[field] !== undefined && (includesAny(lead, lexicon.countTotalCues) || includesAny(lead, lexicon.preciseCues))) facts[field] = n.value;
        else if (field) facts[field] ??= n.value;
      }
    }
  }

  /**
   * The field whose cue word stands nearest before the number in its clause ("省里给了一百万 今年设备
   * 投了三百五十万": 一百万 is the award, 三百五十万 the investment), else the first cue after it.
   */
  function nearestCueField(text: string, n: NumberMention, clause: string, fields: readonly string[]): string | undefined {
    const clauseStart = text.lastIndexOf(clause, n.start);
    const before = text.slice(clauseStart, n.start);
    const after = text.slice(n.end, clauseStart + clause.length);
    let best: { field: string; distance: number } | undefined;
    for (const f of fields) {
      // "小巨人省级一百三十五万": a word that names the field only right before the figure.
      if ((cues[`${f}.adjacent`] ?? []).some((w) => before.trimEnd().endsWith(w))) return f;
      for (const w of cues[f] ?? []) {
        const i = before.lastIndexOf(w);
        if (i !== -1) {
          const distance = before.length - (i + w.length);
          if (!best || distance < best.distance) best = { field: f, distance };
        }
        const j = after.indexOf(w);
        if (j !== -1 && (!best || 1000 + j < best.distance)) best = { field: f, distance: 1000 + j };
      }
    }
    return best?.field;
  }

  /** The VAT rate a text gives ("税率13%", "13个点的专票"), or undefined. */
  function vatRate(text: string): number | undefined {
    const m = VAT_RATE.exec(text);
    const rate = m ? Number(m[1] ?? m[2]) : undefined;
    return rate !== undefined && rate > 0 && rate <= 17 ? rate : undefined;
  }

  /** The words just before an amount say it includes VAT, and none say it does not. */
  function isGross(text: string, n: NumberMention): boolean {
    const before = text.slice(Math.max(0, n.start - 6), n.start).split(CLAUSE_SPLIT).pop() ?? '';
    // ("310万 不过是含增值税的": what follows the amount in its clause says so too.)
    const near = before + text.slice(n.end, n.end + 10).split(CLAUSE_SPLIT)[0].split(/\d/)[0];
    return includesAny(near, lexicon.grossCues) && !includesAny(near, lexicon.netCues);
  }

  /** The words just before a later amount of the same field say it is the sum of the earlier ones. */
  function statesTotal(text: string, last: NumberMention, n: NumberMention): boolean {
    return includesAny(text.slice(Math.max(last.end, n.start - 6), n.start), lexicon.statedTotalCues);
  }

  /** Each of two amounts' clauses names a year, and not the same one ("去年…200万 今年又…200万"). */
  function inOtherYear(text: string, last: NumberMention, n: NumberMention): boolean {
    // Each amount's own words: "2025年首次认定 设备200万" names no year for the 200万.
    const before = yearJustBefore(text, last.start);
    const after = yearWordIn(text.slice(last.end, n.start));
    return before !== undefined && after !== undefined && before !== after;
  }

  /** Two amounts are parts of one sum: in separate clauses, or joined by "加", "和", "另外"… */
  function joinsAmounts(text: string, a: NumberMention, b: NumberMention): boolean {
    const between = text.slice(a.end, b.start);
    return CLAUSE_SPLIT.test(between) || /\s/.test(between) || includesAny(between, lexicon.amountJoiners);
  }

  function attributeRelativeYears(text: string, ctx: ExtractContext, facts: Record<string, FactValue>) {
    if (!yearField || facts[yearField] !== undefined) return;
    for (const [word, offset] of Object.entries(RELATIVE_YEARS)) {
      const i = text.indexOf(word);
      if (i === -1) continue;
      if (includesAny(clauseAt(text, i), recognitionWords) || ctx.pendingField === yearField) {
        facts[yearField] = ctx.currentYear + offset;
        return;
      }
    }
  }

  /** Short answers to the pending question: 是/不是, 不清楚, "350", "没有技改". */
  function answerPending(field: string, kind: string, answer: string, text: string, slots: Slots) {
    const facts = slots.facts;
    if (facts[field] !== undefined) return;
    const isUnknown = lexicon.answers.unknown.some((w) => answer.includes(w));
    const saidNo = slots.yesNo === false && !isUnknown;
    // "更正一下", "等一下": a 一 inside a word answers nothing.
    const bare = slots.numbers.find((n) => n.kind === 'bare' && !(n.value === 1 && text[n.start] === '一'));
    if (kind === 'boolean' && slots.yesNo !== undefined) facts[field] = slots.yesNo;
    else if (kind === 'level') {
      if (includesAny(text, lexicon.answers.notAssessed) || saidNo) facts[field] = 0;
      else {
        // ("那十万是一次性的吧": how often, not a level.)
        const level = slots.numbers.find((n) => n.kind === 'bare' && n.value >= 0 && n.value <= 5 && !text.slice(n.end).startsWith('次'));
        if (level) facts[field] = level.value;
      }
    } else if (kind === 'yuan') {
      // A bare number to an amount question: people mean 万 for small numbers ("投了500").
      if (bare) facts[field] = bare.value >= 10_000 ? bare.value : bare.value * 10_000;
      else if (includesAny(text, lexicon.answers.noInvestment) || saidNo) facts[field] = 0;
    } else if (kind === 'year') {
      if (bare && bare.value >= 10 && bare.value <= 60) facts[field] = 2000 + bare.value;
    }
    if (facts[field] === undefined && isUnknown) slots.unknownFields.push(field);
  }

  /**
   * The value a text ends with when it names two: the one after the last word saying a value was
   * not granted, itself said granted ("国家级没成功 省级过了"), or the one named after a word saying
   * it was the outcome ("报国家级 最后只评上省级"). Undefined when the text names fewer than two.
   */
  function settledValue(text: string, field: string, values: readonly string[]): string | undefined {
    const mentions = values
      .flatMap((v) => (cues[`${field}.${v}`] ?? []).map((w) => ({ v, at: text.indexOf(w), end: text.indexOf(w) + w.length })))
      .filter((m) => m.at >= 0)
      .sort((a, b) => a.at - b.at);
    if (new Set(mentions.map((m) => m.v)).size < 2) return undefined;
    const lastNot = Math.max(-1, ...(cues[`${field}.not`] ?? []).map((w) => text.lastIndexOf(w)));
    if (lastNot >= 0) {
      const after = mentions.filter((m) => m.at > lastNot);
      const granted = after.find((m) => includesAny(clauseAt(text, m.end), cues[`${field}.granted`]));
      return granted?.v;
    }
    const outcome = mentions.filter((m) => includesAny(text.slice(Math.max(0, m.at - 6), m.at), cues[`${field}.settled`]));
    return outcome.length === 1 ? outcome[0].v : undefined;
  }

  /** A not-granted word said of this subject: "省级报了两个批了一个 另一个没过" says it of another one. */
  function saysNotGranted(text: string, field: string): boolean {
    const others = cues[`${field}.others`] ?? [];
    return (cues[`${field}.not`] ?? []).some((w) => {
      for (let i = text.indexOf(w); i >= 0; i = text.indexOf(w, i + 1)) {
        const before = text.slice(Math.max(0, i - 6), i);
        if (!others.some((o) => before.includes(o))) return true;
      }
      return false;
    });
  }

  function extract(text: string, ctx: ExtractContext): Slots {
    const numbers = withoutDenied(numberMentions(text), text);
    const answer = text.replace(STRIP_FOR_ANSWER, '');
    const slots: Slots = {
      facts: {},
      unknownFields: [],
      measureRefs: measureReferences(text, doc),
      correction: includesAny(text, lexicon.corrections),
      numbers,
      moreYuan: {},
      command: commandOf(text.replace(PUNCTUATION, '')),
      yesNo: yesNoOf(answer),
    };
    const percent = numbers.find((n) => n.kind === 'percent')?.value ?? percentWords.find((p) => includesAny(text, p.words))?.value;
    if (percent !== undefined) slots.percent = percent;

    const facts = slots.facts;
    const tier = tierOf(text, answer, ctx.pendingField === TIER_FIELD, ctx.question !== undefined && ctx.question !== text);
    if (tier) facts[TIER_FIELD] = tier;
    for (const { field, yes, no, yesAround } of booleanCues) {
      // "不是复核": a yes-cue that contains a no-cue ("复核") is read first.
      const rest = yesAround.reduce((t, y) => t.split(y).join(' '), text);
      if (includesAny(rest, no)) facts[field] = false;
      else if (includesAny(text, yes)) facts[field] = true;
    }
    attributeNumbers(text, numbers, ctx, slots);
    attributeRelativeYears(text, ctx, facts);
    for (const f of enumFields) {
      if (!includesAny(ctx.question ?? text, cues[f.field]) && !includesAny(text, cues[f.field])) continue;
      // "申报国家级失败 改报省级成功", "申报国家级但最后只评上省级": the level it ended with.
      const settled = settledValue(text, f.field, f.values!);
      if (settled) {
        facts[f.field] = settled;
        continue;
      }
      // "申报国家级集群没成功", "还在创建中": the level was asked for, not granted ("none" where the field has it).
      if (saysNotGranted(text, f.field)) {
        if (f.values!.includes('none')) facts[f.field] = 'none';
        continue;
      }
      // "国家级暂无", "国家级集群0个": a level said to be absent is not the one asked about.
      const absent = cues[`${f.field}.absent`] ?? [];
      const value = f.values!.find((v) => (cues[`${f.field}.${v}`] ?? []).some((w) => saidPresent(text, w, absent)));
      if (value) facts[f.field] = value;
    }
    const pending = ctx.pendingField ? doc.field(ctx.pendingField) : undefined;
    if (pending) answerPending(pending.field, pending.kind, answer, text, slots);
    return slots;
  }

  return { extract };
}

/** Whether a word occurs somewhere not followed, in its clause, by a word saying there is none. */
function saidPresent(text: string, word: string, absent: readonly string[]): boolean {
  for (let i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
    let after = text.slice(i + word.length, i + word.length + 12);
    const cut = after.search(/[\s,.;!?:，。；！？：]/);
    if (cut >= 0) after = after.slice(0, cut);
    if (!absent.some((a) => after.includes(a))) return true;
  }
  return false;
}

function clauseAt(text: string, index: number): string {
  let s = index;
  while (s > 0 && !CLAUSE_SPLIT.test(text[s - 1])) s--;
  let e = index;
  while (e < text.length && !CLAUSE_SPLIT.test(text[e])) e++;
  return text.slice(s, e);
}

const ORDINAL_REF = /(?:第|措施|条款)\s*([一二三四五六七八九十\d]+(?:\.\d+)?)\s*(?:条|项|点|部分|款)?|([一二三四五六七八九十]+)、/g;

/** "第四条" → "4", "措施三" → "3", "第3.1条" → "3.1"; only ids the document has. */
// "第三条第一款": the part of a measure, where the document numbers its parts ("3.1").
const ARTICLE_PART = /第\s*([一二三四五六七八九十\d]+)\s*条\s*第\s*([一二三四五六七八九十\d]+)\s*(?:款|项|点)/g;
// "2.1 原文", "3.1门槛": a part's number written bare, not an amount ("3.1万", "1.2m") or a date.
const BARE_PART = /(?<![\d.])([1-9]\d?\.\d)(?![\d.%万亿千百元块倍kmw])/g;

/** "投入不是三百二是两百八", "不是30家 是29家": the figure denied is no fact; the one after it is. */
function withoutDenied(numbers: NumberMention[], text: string): NumberMention[] {
  return numbers.filter((n, i) => {
    const next = numbers[i + 1];
    return !(next && next.kind === n.kind && /不是\s*$/.test(text.slice(Math.max(0, n.start - 4), n.start))
      && /^[\s,，]*(?:而是|应该是|是)[\s,，]*$/.test(text.slice(n.end, next.start)));
  });
}

export function measureReferences(text: string, doc: PolicyDocument): string[] {
  const refs: string[] = [];
  const add = (id: string) => {
    if (doc.measure(id) && !refs.includes(id)) refs.push(id);
  };
  const numeral = (raw: string) => (/^\d/.test(raw) ? raw : String(parseNumeral(raw) ?? ''));
  for (const m of text.matchAll(ARTICLE_PART)) {
    const article = numeral(m[1]);
    const part = `${article}.${numeral(m[2])}`;
    add(doc.measure(part) ? part : article);
  }
  text = text.replace(ARTICLE_PART, (w) => ' '.repeat(w.length));
  for (const m of text.matchAll(BARE_PART)) add(m[1]);
  for (const m of text.matchAll(ORDINAL_REF)) {
    const raw = m[1] ?? m[2];
    const whole = m[0];
    // "第一次" is a time, not a measure.
    if (m[1] && !/条|项|点|部分|款/.test(whole) && !whole.startsWith('措施') && !whole.startsWith('条款')) continue;
    const id = /^\d/.test(raw) ? raw : String(parseNumeral(raw) ?? '');
    if (doc.measure(id) && !refs.includes(id)) refs.push(id);
  }
  return refs;
}
