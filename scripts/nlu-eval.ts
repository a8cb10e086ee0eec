// Scoring the whole understanding — intent, measure, amounts, follow-ups — on a labelled set,
// through the dialog engine as a user meets it. Used by `npm run eval:nlu` and by the held-out test.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Answer } from '../src/core/answer.js';
import { createDialogEngine, type DialogEngine } from '../src/dialog/engine.js';
import { loadReplies } from '../src/dialog/replies.js';
import { createValidityEngine, loadValidityTexts } from '../src/dialog/validity.js';
import { loadNlu, type LoadNluOptions, type Nlu } from '../src/nlu/index.js';
import { MemoryDialogStateStore, MemoryQuestionLog } from '../src/store/memory-stores.js';
import { projectRoot } from '../policy/index.js';

/** What a reply must show for a question (see intents/training/README.md). */
export interface Expectation {
  intent: string;
  measures: string[];
  awards?: { measure: string; yuan?: number; eligible?: boolean }[];
  no_award?: string[];
  facts?: string[][];
}

export interface LabelledQuestion extends Expectation {
  text: string;
  kind?: string[];
}

export interface FollowUpConversation {
  id: string;
  kind?: string[];
  turns: (Expectation & { text: string })[];
}

export interface LabelledSet {
  questions: LabelledQuestion[];
  conversations: FollowUpConversation[];
}

/** A folder's *.jsonl questions and its followups*.json conversations. */
export function readLabelledSet(dir: string): LabelledSet {
  const names = readdirSync(dir).sort();
  const questions = names.filter((n) => n.endsWith('.jsonl')).flatMap((name) =>
    readFileSync(join(dir, name), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as LabelledQuestion),
  );
  const conversations = names.filter((n) => /^followups.*\.json$/.test(n))
    .flatMap((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as FollowUpConversation[]);
  return { questions, conversations };
}

export const TRAINING_DIR = join(projectRoot(), 'intents', 'training');
export const HELDOUT_DIR = join(projectRoot(), 'test', 'nlu', 'heldout');

export const trainingSet = (): LabelledSet => readLabelledSet(TRAINING_DIR);
export const heldOutSet = (): LabelledSet => readLabelledSet(HELDOUT_DIR);

// The eval's day: inside the document's validity, so dates do not colour the answers.
const EVAL_NOW = Date.parse('2026-12-01T04:00:00Z');

export interface Engine {
  nlu: Nlu;
  engine: DialogEngine;
}

export async function evalEngine(options: LoadNluOptions = {}): Promise<Engine> {
  const nlu = await loadNlu(options);
  const replies = loadReplies(join(projectRoot(), 'intents', 'replies.yaml'));
  const clock = { now: () => EVAL_NOW };
  const questions = new MemoryQuestionLog();
  // As the service composes it: the document's dates decorate every answer (a year after its end gets no amount).
  const engine = createValidityEngine({
    documents: () => [nlu.doc], states: new MemoryDialogStateStore(), replies, clock,
    texts: loadValidityTexts(join(projectRoot(), 'intents', 'validity-replies.yaml')),
    engineFor: (doc, states) => createDialogEngine({ doc, nlu, replies, states, questions, clock, idleMs: 3_600_000 }),
  });
  return { nlu, engine };
}

let conversationSeq = 0;
export function ask(e: Engine, texts: string[]): Answer[] {
  const user = `eval-${++conversationSeq}`;
  return texts.map((text) => e.engine.handle({ channel: 'eval', chat: 'eval', user, text, at: EVAL_NOW, mentioned: true }));
}

const awardYuan = (a: { yuan: number | null; maxYuan?: number }) => a.yuan ?? a.maxYuan ?? null;
const GLOBAL_OR_NONE = (m: string[]) => m.length === 0;

/** The top measure of the answer is one the label names (or its heading / paragraph). */
function measureMatches(got: string[], expected: string[]): boolean {
  if (GLOBAL_OR_NONE(expected)) return true;
  const top = got[0] ?? '';
  return expected.some((e) => top === e || e.startsWith(top + '.') || top.startsWith(e + '.'));
}

/** What is wrong with an answer, as a user would see it: empty when the answer is right. */
export function answerProblems(x: Expectation, a: Answer): string[] {
  const why: string[] = [];
  if (x.intent === 'fallback') {
    if (a.intent !== 'fallback') why.push(`answered ${a.intent} to an out-of-scope question`);
    return why;
  }
  if (a.intent === 'fallback') return ['fell back'];
  if (!measureMatches(a.measures, x.measures)) why.push(`measures ${JSON.stringify(a.measures)}, want ${x.measures.join('/')}`);
  const awards = a.awards ?? [];
  for (const want of x.awards ?? []) {
    const got = awards.filter((w) => w.measure === want.measure && w.eligible !== false);
    if (want.yuan !== undefined && !got.some((w) => awardYuan(w) === want.yuan)) why.push(`no ${want.measure} award of ${want.yuan}`);
    if (want.yuan === undefined && want.eligible && !got.some((w) => w.eligible)) why.push(`${want.measure} not eligible`);
  }
  for (const m of x.no_award ?? []) {
    if (awards.some((w) => w.measure === m && w.eligible === true && w.status !== 'needs_info')) why.push(`claims ${m}`);
  }
  for (const group of x.facts ?? []) if (!group.some((f) => a.reply.includes(f))) why.push(`reply lacks ${group[0]}`);
  return why;
}

export interface Scored {
  text: string;
  gold: string;
  predicted: string;
  problems: string[];
  kind: string[];
}

export function scoreQuestions(e: Engine, questions: readonly LabelledQuestion[]): Scored[] {
  return questions.map((q) => {
    const [a] = ask(e, [q.text]);
    return { text: q.text, gold: q.intent, predicted: a.intent, problems: answerProblems(q, a), kind: q.kind ?? [] };
  });
}

/** Every turn after the first of each conversation, scored in its conversation. */
export function scoreFollowUps(e: Engine, conversations: readonly FollowUpConversation[]): (Scored & { id: string; before: string })[] {
  return conversations.flatMap((c) => {
    const answers = ask(e, c.turns.map((t) => t.text));
    return c.turns.slice(1).map((t, i) => ({
      id: c.id, before: c.turns[i].text, text: t.text, gold: t.intent, predicted: answers[i + 1].intent, problems: answerProblems(t, answers[i + 1]), kind: c.kind ?? [],
    }));
  });
}

/** k folds with every intent spread evenly (questions of one intent dealt round-robin). */
export function stratifiedFolds<T extends { intent: string }>(items: readonly T[], k: number): T[][] {
  const folds: T[][] = Array.from({ length: k }, () => []);
  const byIntent = new Map<string, T[]>();
  for (const item of items) byIntent.set(item.intent, [...(byIntent.get(item.intent) ?? []), item]);
  let next = 0;
  for (const intent of [...byIntent.keys()].sort()) for (const item of byIntent.get(intent)!) folds[next++ % k].push(item);
  return folds;
}

export const rate = (xs: readonly { problems: string[] }[]) => (xs.length ? xs.filter((x) => x.problems.length === 0).length / xs.length : 0);
export const intentRate = (xs: readonly { gold: string; predicted: string }[]) => (xs.length ? xs.filter((x) => x.gold === x.predicted).length / xs.length : 0);
