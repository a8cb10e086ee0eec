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
}

export interface ExtractContext {
  /** The question the dialog is waiting on: bare answers ("是", "350", "二级") belong to it. */
  pendingField?: string;
  /** Relative years ("去年") resolve against this. */
  currentYear: number;
}

const CLAUSE_SPLIT = /[,.;!?:，。；！？：\n]/;
const STRIP_FOR_ANSWER = /[\s,.;!?:~，。；！？：、…]+|(的|啊|呀|吧|呢|哦|哈|嘛|了)$/g;

export function extractSlots(text: string, doc: PolicyDocument, lexicon: Lexicon, ctx: ExtractContext): Slots {
  const numbers = numberMentions(text);
  const answer = text.replace(STRIP_FOR_ANSWER, '');
  const slots: Slots = {
    facts: {},
    unknownFields: [],
    measureRefs: measureReferences(text, doc),
    correction: lexicon.corrections.some((w) => text.includes(w)),
    numbers,
    command: commandOf(text.replace(/[\s,.;!?:~，。；！？：、…]+/g, ''), lexicon),
  };
  const pct = numbers.find((n) => n.kind === 'percent');
  if (pct) slots.percent = pct.value;
  else if (/一半|半数/.test(text)) slots.percent = 50;

  slots.yesNo = yesNoOf(answer, lexicon);
  const facts = slots.facts;
  const pending = ctx.pendingField ? doc.field(ctx.pendingField) : undefined;

  const tier = tierOf(text, answer, doc, ctx.pendingField === 'tier');
  if (tier) facts.tier = tier;

  const cues = lexicon.fieldCues;
  const has = (words: string[] | undefined) => (words ?? []).some((w) => text.includes(w));
  if (has(cues.firstTimeNo)) facts.firstTime = false;
  else if (has(cues.firstTimeYes)) facts.firstTime = true;
  if (has(cues.industrialNo)) facts.industrial = false;
  else if (has(cues.industrialYes)) facts.industrial = true;

  attributeNumbers(text, numbers, cues, ctx, facts);
  attributeRelativeYears(text, cues, ctx, facts);

  if (text.includes('集群')) {
    if (has(cues.clusterNational)) facts.clusterLevel = 'national';
    else if (has(cues.clusterProvincial)) facts.clusterLevel = 'provincial';
  }

  if (pending) answerPending(pending.field, pending.kind, answer, text, slots, lexicon);
  return slots;
}

/** Short answers to the pending question: 是/不是, 不清楚, "350", "没有技改". */
function answerPending(field: string, kind: string, answer: string, text: string, slots: Slots, lexicon: Lexicon) {
  const facts = slots.facts;
  if (facts[field] !== undefined) return;
  const isUnknown = lexicon.answers.unknown.some((w) => answer.includes(w));
  if (kind === 'boolean' && slots.yesNo !== undefined) facts[field] = slots.yesNo;
  else if (kind === 'level') {
    if (lexicon.answers.notAssessed.some((w) => text.includes(w)) || (slots.yesNo === false && !isUnknown)) facts[field] = 0;
    else {
      const bare = slots.numbers.find((n) => n.kind === 'bare' && n.value >= 0 && n.value <= 5);
      if (bare) facts[field] = bare.value;
    }
  } else if (kind === 'yuan') {
    const bare = slots.numbers.find((n) => n.kind === 'bare');
    // A bare number to an amount question: people mean 万 for small numbers ("投了500").
    if (bare) facts[field] = bare.value >= 10_000 ? bare.value : bare.value * 10_000;
    else if (lexicon.answers.noInvestment.some((w) => text.includes(w)) || (slots.yesNo === false && !isUnknown)) facts[field] = 0;
  } else if (kind === 'year') {
    const bare = slots.numbers.find((n) => n.kind === 'bare');
    if (bare && bare.value >= 10 && bare.value <= 60) facts[field] = 2000 + bare.value;
  }
  if (facts[field] === undefined && isUnknown) slots.unknownFields.push(field);
}

function clauseAt(text: string, index: number): string {
  let s = index;
  while (s > 0 && !CLAUSE_SPLIT.test(text[s - 1])) s--;
  let e = index;
  while (e < text.length && !CLAUSE_SPLIT.test(text[e])) e++;
  return text.slice(s, e);
}

/** Which field a number belongs to: the cue words of its own clause, else the pending question. */
function attributeNumbers(text: string, numbers: NumberMention[], cues: Record<string, string[]>, ctx: ExtractContext, facts: Record<string, FactValue>) {
  const cued = (clause: string, field: string) => (cues[field] ?? []).some((w) => clause.includes(w));
  for (const n of numbers) {
    const clause = clauseAt(text, n.start);
    if (n.kind === 'yuan') {
      const field = cued(clause, 'provincialAward') ? 'provincialAward'
        : cued(clause, 'techInvestment') ? 'techInvestment'
        : ctx.pendingField === 'provincialAward' || ctx.pendingField === 'techInvestment' ? ctx.pendingField
        : undefined;
      if (field && facts[field] === undefined) facts[field] = n.value;
    } else if (n.kind === 'year') {
      if (cued(clause, 'recognizedYear') || ctx.pendingField === 'recognizedYear' || /专精特新|小巨人|冠军|创新型/.test(clause)) facts.recognizedYear ??= n.value;
    } else if (n.kind === 'level') {
      facts.digitalLevel ??= n.value;
    } else if (n.kind === 'count') {
      const after = text.slice(n.end, n.end + 6);
      if (/^(银行|金融机构|家银行)/.test(after) || (n.unit === '家' && /^[^,，]{0,2}(银行|金融)/.test(after))) facts.eventBanks ??= n.value;
      else if (n.unit === '家' || n.unit === '个') {
        if (/^(企业|公司|单位)/.test(after) || /企业|公司/.test(clause)) facts.eventEnterprises ??= n.value;
      } else if (n.unit === '场' || n.unit === '次') facts.events ??= n.value;
    }
  }
}

function attributeRelativeYears(text: string, cues: Record<string, string[]>, ctx: ExtractContext, facts: Record<string, FactValue>) {
  if (facts.recognizedYear !== undefined) return;
  for (const [word, offset] of Object.entries(RELATIVE_YEARS)) {
    const i = text.indexOf(word);
    if (i === -1) continue;
    const clause = clauseAt(text, i);
    const recognition = (cues.recognizedYear ?? []).some((w) => clause.includes(w)) || /专精特新|小巨人|冠军|创新型/.test(clause);
    if (recognition || ctx.pendingField === 'recognizedYear') {
      facts.recognizedYear = ctx.currentYear + offset;
      return;
    }
  }
}

/** A tier named anywhere; bare answers ("省级", "没有") only as the reply to the tier question. */
function tierOf(text: string, answer: string, doc: PolicyDocument, pendingTier: boolean): TierId | undefined {
  const named = doc.tiers
    .flatMap((t) => t.aliases.map((a) => ({ id: t.id, alias: a })))
    .filter((x) => x.id !== 'none' || pendingTier)
    .sort((a, b) => b.alias.length - a.alias.length);
  if (pendingTier) {
    const exact = named.find((x) => answer === x.alias);
    if (exact) return exact.id;
  }
  const strong = named.filter((x) => x.alias.length >= 3 && x.alias !== '专精特新' || (pendingTier && x.alias.length >= 2));
  const hit = strong.find((x) => text.includes(x.alias));
  if (hit) return hit.id;
  // "我们是专精特新企业": a statement about oneself names the provincial level.
  if (/(我们|我司|我公司|本公司|本企业|我们公司|我们企业)(是|属于)[^,，.?？]{0,4}专精特新/.test(text)) return 'provincial';
  if (pendingTier && text.includes('专精特新')) return 'provincial';
  return undefined;
}

function yesNoOf(answer: string, lexicon: Lexicon): boolean | undefined {
  if (lexicon.answers.unknown.some((w) => answer.startsWith(w))) return undefined;
  // Longest word first: "不是" must beat "是", and "没错" must beat "没".
  const words = [...lexicon.answers.yes.map((w) => [w, true] as const), ...lexicon.answers.no.map((w) => [w, false] as const)]
    .sort((a, b) => b[0].length - a[0].length);
  const hit = words.find(([w]) => answer === w || (answer.startsWith(w) && answer.length <= w.length + 12));
  return hit?.[1];
}

function commandOf(answer: string, lexicon: Lexicon): Slots['command'] {
  const is = (words: string[]) => words.some((w) => answer === w || (answer.startsWith(w) && answer.length <= w.length + 4));
  if (is(lexicon.commands.cancel)) return 'cancel';
  if (is(lexicon.commands.restart)) return 'restart';
  if (is(lexicon.commands.back)) return 'back';
  return undefined;
}

const ORDINAL_REF = /(?:第|措施|条款)\s*([一二三四五六七八九十\d]+(?:\.\d+)?)\s*(?:条|项|点|部分|款)?|([一二三四五六七八九十]+)、/g;

/** "第四条" → "4", "措施三" → "3", "第3.1条" → "3.1"; only ids the document has. */
export function measureReferences(text: string, doc: PolicyDocument): string[] {
  const refs: string[] = [];
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
