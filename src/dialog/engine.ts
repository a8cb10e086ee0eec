import type { PolicyDocument } from '../../policy/index.js';
import type { Answer } from '../core/answer.js';
import type { Clock, DialogStateStore, QuestionLog } from '../core/ports.js';
import { conversationKey, type Turn } from '../core/turn.js';
import { CLARIFY, FALLBACK, LIST_INTENT, type Nlu, type Parse } from '../nlu/index.js';
import {
  applyAnswer, askWhichMeasure, clarifyAnswer, contentAnswer, frequencyAnswer, fullTextAnswer, amountListAnswer, basisWithMet, listAnswer, measuresWithFacts, rulesAnswer,
  awardView, severalMeasuresAnswer, statusAnswer, todayIn, unitsAnswer, validityAnswer, withOwnCase, type AnswerContext, type QaAnswer,
} from './answers.js';
import { nextContext, resolveFollowUp } from './context.js';
import { endsConfirming, kindOf } from './follow-up-reading.js';
import { rememberedGroups } from './follow-up-subjects.js';
import {
  advance, applyFacts, describeFacts, newCheck, profileFactsOf, questionActions, questionText, resultOf, stepBack,
} from './eligibility.js';
import type { Replies } from './replies.js';
import { freshState, isCheckRunning, type ConversationState, type EligibilityCheck } from './state.js';

export interface DialogDeps {
  doc: PolicyDocument;
  nlu: Nlu;
  replies: Replies;
  states: DialogStateStore<ConversationState>;
  questions: QuestionLog;
  clock: Clock;
  /** A conversation idle longer than this starts afresh. */
  idleMs: number;
}

export interface DialogEngine {
  handle(turn: Turn): Answer;
  /** Settles once the writes of the turns handled so far are committed (group commit): replies wait for it. */
  committed?(): Promise<void>;
}

/** Intents that make sense in the middle of an eligibility check as an aside. */
const ASIDE_INTENTS = new Set([LIST_INTENT, 'policy.validity', 'policy.status', 'help']);

export function createDialogEngine(deps: DialogDeps): DialogEngine {
  const { doc, nlu, replies, states, questions, clock } = deps;
  const contextLimits = { maxAgeMs: nlu.lexicon.context.minutes * 60_000, maxTurns: nlu.lexicon.context.turns };

  function loadState(key: string, now: number): { state: ConversationState; notice?: string } {
    const stored = states.get(key);
    if (!stored) return { state: freshState(doc.versionTag, now) };
    if (stored.version !== doc.versionTag) {
      return { state: freshState(doc.versionTag, now), notice: stored.check && !stored.check.done ? replies.render('dialogVersionChanged') : undefined };
    }
    if (now - stored.updatedAt > deps.idleMs) {
      return { state: freshState(doc.versionTag, now), notice: isCheckRunning(stored) ? replies.render('dialogExpired') : undefined };
    }
    return { state: stored };
  }

  function handle(turn: Turn): Answer {
    const now = clock.now();
    const key = conversationKey(turn);
    const { state, notice } = loadState(key, now);
    const carried = !turn.group && takeOverGroupCheck(state, now);
    const ctx: AnswerContext = { doc, replies, today: todayIn(now), now };
    const pending = isCheckRunning(state) ? state.check!.pending! : undefined;
    const parse = nlu.parse(turn.text, { pendingField: pending, now: new Date(now), currentYear: Number(ctx.today.slice(0, 4)) });

    let answer = pending ? continueCheck(state, parse, ctx) : freshTurn(state, parse, ctx);
    if (carried) {
      // "继续" or a greeting is not an answer, but after a move it needs no apology either.
      answer = answer.intent === 'eligibility.unclear' && pending
        ? askPending(pending, replies.render('dialogCarriedOver'), 'eligibility.resume', 1)
        : { ...answer, reply: `${replies.render('dialogCarriedOver')}\n${answer.reply}` };
    }
    if (notice) answer.reply = `${notice}\n${answer.reply}`;
    if (turn.group && turn.privateChat && answer.intent === 'eligibility.start' && answer.dialog && !answer.dialog.done) {
      offerPrivateChat(turn, key, now);
      answer.reply = `${answer.reply}\n${replies.render('dialogOfferPrivate')}`;
    }
    state.updatedAt = now;
    if (answer.measures.length && !answer.dialog) state.lastMeasures = answer.measures;
    // Written before the reply leaves: a restart right after loses nothing acknowledged.
    states.put(key, state);
    questions.record({
      at: now, channel: turn.channel, chat: turn.chat, user: turn.user, text: turn.text,
      intent: answer.intent, confidence: answer.confidence ?? 0, measures: answer.measures,
    });
    return answer;
  }

  /** Leaves a pointer in the user's private conversation to the group check just started. */
  function offerPrivateChat(turn: Turn, groupKey: string, now: number): void {
    const privateKey = conversationKey({ channel: turn.channel, chat: turn.privateChat!, user: turn.user });
    const { state } = loadState(privateKey, now);
    state.handoff = groupKey;
    states.put(privateKey, state);
  }

  /**
   * A private chat whose user has a check running in a group (started there with the offer to
   * continue privately) takes that check over, unless it runs one of its own. True when moved.
   */
  function takeOverGroupCheck(state: ConversationState, now: number): boolean {
    const groupKey = state.handoff;
    if (!groupKey) return false;
    state.handoff = undefined;
    if (isCheckRunning(state)) return false;
    const { state: group } = loadState(groupKey, now);
    if (!isCheckRunning(group)) return false;
    state.check = group.check;
    group.check = undefined;
    group.updatedAt = now;
    states.put(groupKey, group);
    return true;
  }

  function freshTurn(state: ConversationState, parse: Parse, ctx: AnswerContext): Answer {
    const check = state.check;
    // After a result, a correction ("投资额改成500万") recomputes it.
    if (check?.done && parse.slots.correction) {
      const facts = profileFactsOf(doc, parse.slots);
      if (Object.keys(facts).length) {
        applyFacts(check, facts, []);
        return stepCheck(check, parse, replies.render('dialogFactsTaken', { facts: describeFacts(doc, facts) }), 'eligibility.correct');
      }
    }
    const resolved = resolveFollowUp(nlu, parse, state.context ?? {}, ctx.now ?? clock.now(), contextLimits);
    if (resolved.remember && resolved.parse !== parse) return answerAndRemember(state, resolved, ctx);
    if (wantsCheck(parse)) return startCheck(state, parse, ctx);
    return answerAndRemember(state, resolved, ctx);
  }

  /**
   * The check starts when asked for, or when an enterprise describes itself without asking; facts
   * with a direct question ("…能拿多少") get a direct answer from the measures they concern.
   */
  function wantsCheck(parse: Parse): boolean {
    // ("KPI要求今年拿下技改补助 设备3.5M不含税 我们是小巨人": one measure's support named is what they ask about.)
    const withFacts = measuresWithFacts(doc, parse).length > 0;
    // ("帮我们区算下 省级专精特新首次6家 小巨人首次1家省奖80万": the check profiles one enterprise; several are answered.)
    if (withFacts && countsSeveral(parse) && (parse.intent === 'eligibility.start' || parse.describesItself)) return false;
    if (parse.describesItself && !parse.isQuestion) return !asksOneMeasure(parse);
    if (parse.intent !== 'eligibility.start') return false;
    return parse.asksForCheck || !withFacts;
  }

  function countsSeveral(parse: Parse): boolean {
    return Object.values(parse.subjects).some((s) => s && s.groups.reduce((n, g) => n + g.count, 0) > 1);
  }

  function asksOneMeasure(parse: Parse): boolean {
    const named = parse.mentionedMeasures.filter((m) => !parse.levelOnly.includes(m));
    return named.length === 1 && nlu.lexicon.supportWords.some((w) => parse.text.includes(w));
  }

  function answerAndRemember(state: ConversationState, resolved: ReturnType<typeof resolveFollowUp>, ctx: AnswerContext): Answer {
    let parse = resolved.parse;
    if (parse.intent === 'eligibility.start') {
      // Facts and a direct question: the answer for the measures they concern.
      const ids = measuresWithFacts(doc, parse);
      parse = { ...parse, intent: 'measure.amount', measures: ids, mentionedMeasures: ids };
      const subjects = ids.length ? rememberedGroups(parse, kindOf(nlu, ids[0])) : undefined;
      resolved = { ...resolved, parse, remember: { intent: 'measure.amount', measures: ids, facts: parse.slots.facts, at: ctx.now ?? clock.now(), turns: 0, ...(subjects ? { subjects, said: parse.raw } : {}) } };
    }
    const answer = qaFor(state, parse, ctx);
    // Another place's question is out of scope but remembered, for "那福州的呢".
    if ((answer.intent !== FALLBACK && answer.intent !== CLARIFY) || resolved.remember?.elsewhere) state.context = nextContext(state.context ?? {}, resolved);
    if (answer.intent === LIST_INTENT) state.context = { ...state.context, listedAt: ctx.now ?? clock.now() };
    return answer;
  }

  function startCheck(state: ConversationState, parse: Parse, ctx: AnswerContext): Answer {
    const check = newCheck();
    state.check = check;
    const facts = profileFactsOf(doc, parse.slots);
    // "…数字化评测二级 智能制造示范工厂 都能拿补助吧" then "归哪个局管": the measures the check was started with are the topic.
    const topics = parse.mentionedMeasures.filter((id) => doc.measure(id));
    if (topics.length) {
      const remember = { intent: 'measure.conditions', measures: topics, facts: { ...parse.slots.facts }, at: ctx.now ?? clock.now(), turns: 0 };
      state.context = nextContext(state.context ?? {}, { parse, facts: remember.facts, remember });
    }
    applyFacts(check, facts, []);
    check.history = [];
    const taken = Object.keys(facts).length ? replies.render('dialogFactsTaken', { facts: describeFacts(doc, facts) }) : '';
    const started = stepCheck(check, parse, [replies.render('dialogStart'), taken].filter(Boolean).join('\n'), 'eligibility.start', false);
    return started.dialog?.done ? started : withWhatFactsSettle(started, parse, ctx);
  }

  /**
   * A check asked for with facts ("两家子公司都首评省专精特新…帮看能享受啥") first answers what those
   * facts settle — with every subject counted — then asks what is still missing.
   */
  function withWhatFactsSettle(started: Answer, parse: Parse, ctx: AnswerContext): Answer {
    const topics = parse.mentionedMeasures.filter((id) => doc.measure(id));
    const settled = measuresWithFacts(doc, parse).map((id) => rulesAnswer(ctx, id, parse, 'amountLead'));
    // What the facts rule out is said too ("设备投资不含税280万": 技改 not yet), with the reason.
    const awards = settled.flatMap((a) => a.awards ?? []).filter((a) => a.eligible || a.status === 'not_eligible')
      .sort((a, b) => Number(b.eligible) - Number(a.eligible));
    if (!awards.some((a) => a.eligible)) return topics.length ? { ...started, measures: [...new Set([...started.measures, ...topics])] } : started;
    const lines = awards.map((a) => replies.render(a.eligible ? 'resultEligible' : 'resultNotEligible', { name: doc.displayName(a.measure), title: a.title ?? '', basis: a.basis }));
    return {
      ...started,
      reply: [replies.render('dialogSettledSoFar'), ...lines, '', started.reply].join('\n'),
      measures: [...new Set([...awards.map((a) => a.measure), ...topics])],
      awards,
    };
  }

  /** The pending question, after whatever the turn had to say first. */
  function askPending(pending: string, lead: string, intent: string, confidence: number, measures: string[] = []): Answer {
    return {
      reply: [lead, questionText(doc, replies, pending)].filter(Boolean).join('\n'),
      intent, confidence, measures,
      dialog: { slot: pending, done: false },
      actions: questionActions(doc, pending),
    };
  }

  /** Asks the next question, or shows the result when nothing can change it any more. */
  function stepCheck(check: EligibilityCheck, parse: Parse, lead: string, intent: string, showSettled = true, changed: readonly string[] = []): Answer {
    const outcomes = advance(doc, check);
    const confidence = Math.max(parse.confidence, 0.9);
    if (check.pending) {
      // What the facts so far already settle is said now, not only at the end; so is a rule that
      // this turn's correction rules out ("不含税二百七十四万" after 310万 had met the 技改 threshold).
      const ruledOut = (o: (typeof outcomes)[number]) => o.status === 'not_eligible' && o.rule.when.some((c) => changed.includes(c.field));
      const settled = showSettled ? outcomes.filter((o) => (o.status === 'eligible' && !o.missing.length) || ruledOut(o)) : [];
      const soFar = settled.map((o) => replies.render(o.status === 'eligible' ? 'resultEligible' : 'resultNotEligible', { name: doc.displayName(o.rule.measure), title: o.rule.title, basis: basisWithMet(doc, replies, o, check.profile) }));
      const asked = askPending(check.pending, [lead, ...(soFar.length ? [replies.render('dialogSettledSoFar'), ...soFar] : [])].filter(Boolean).join('\n'), intent, confidence);
      return settled.length ? { ...asked, measures: [...new Set(settled.map((o) => o.rule.measure))], awards: settled.map((o) => awardView(doc, o, false)) } : asked;
    }
    const result = resultOf(doc, replies, check, outcomes);
    return {
      reply: [lead, result.text].filter(Boolean).join('\n'),
      intent, confidence, measures: result.measures, awards: result.awards,
      dialog: { slot: null, done: true },
      title: replies.render('resultTitle'),
    };
  }

  function continueCheck(state: ConversationState, asked: Parse, ctx: AnswerContext): Answer {
    let parse = asked;
    const check = state.check!;
    const command = parse.slots.command;
    if (command === 'cancel') {
      state.check = undefined;
      return { reply: replies.render('dialogCancelled'), intent: 'eligibility.cancel', confidence: 1, measures: [], dialog: { slot: null, done: true } };
    }
    if (command === 'restart') {
      state.check = newCheck();
      return stepCheck(state.check, parse, replies.render('dialogRestarted'), 'eligibility.restart');
    }
    if (command === 'back') {
      const moved = stepBack(check);
      return askPending(check.pending!, replies.render(moved ? 'dialogBack' : 'dialogBackAtStart'), 'eligibility.back', 1);
    }
    const facts = profileFactsOf(doc, parse.slots);
    const hasFacts = Object.keys(facts).length > 0 || parse.slots.unknownFields.length > 0;
    // "申报材料报给哪个部门" in the middle of the check: a question about the topic before it, answered.
    // ("归哪个局管": the model places it nowhere, its cue words do.)
    const measureQuestion = parse.intent.startsWith('measure.') ? parse.confidence >= 0.5 : parse.cueIntents.some((i) => i.startsWith('measure.'));
    if (parse.isQuestion && !hasFacts && measureQuestion && !parse.measures.length) {
      const resolved = resolveFollowUp(nlu, parse, state.context ?? {}, ctx.now ?? clock.now(), contextLimits);
      if (resolved.parse.measures.length) parse = resolved.parse;
    }
    // "那出口退税呢", "老板问社保能不能缓缴": a question outside the measures, said so before the check goes on.
    // (Only with another domain's words or place: the model alone may miss a question on the measures.)
    const outsideAside = !hasFacts && parse.isQuestion && parse.intent === FALLBACK
      && (parse.otherPlace || nlu.lexicon.outsideCues.some((w) => parse.text.includes(w)));
    // ("省级那10万是一次性的吧": a guess put forward to be confirmed asks too.)
    const isAside = outsideAside || ((parse.isQuestion || endsConfirming(nlu, parse.text)) && parse.intent !== FALLBACK && parse.intent !== 'eligibility.start'
      && (ASIDE_INTENTS.has(parse.intent) || (parse.intent.startsWith('measure.') && parse.measures.length > 0)));
    if (hasFacts && !isAside) {
      const known = new Set(Object.keys(check.profile));
      const corrected = applyFacts(check, facts, parse.slots.unknownFields).filter((f) => known.has(f));
      const extra = Object.keys(facts).filter((f) => f !== check.pending);
      const lead = extra.length ? replies.render('dialogFactsTaken', { facts: describeFacts(doc, facts) }) : '';
      return stepCheck(check, parse, lead, 'eligibility.answer', true, corrected);
    }
    const pending = check.pending!;
    // ("好的谢谢" in the middle of the check: thanked back, the question still open.)
    if (!hasFacts && parse.intent === 'thanks' && parse.confidence >= 0.6) {
      return { ...askPending(pending, `${replies.render('thanks')}\n\n${replies.render('dialogResume')}`, 'thanks', parse.confidence), measures: [] };
    }
    if (isAside) {
      const qa = qaFor(state, parse, ctx);
      const answer = askPending(pending, `${qa.reply}\n\n${replies.render('dialogResume')}`, qa.intent, qa.confidence ?? 0, qa.measures);
      return { ...qa, ...answer };
    }
    return askPending(pending, replies.render('dialogNotUnderstood'), 'eligibility.unclear', parse.confidence);
  }

  function qaFor(state: ConversationState, asked: Parse, ctx: AnswerContext): Answer {
    let parse = asked;
    const base = { intent: parse.intent, confidence: parse.confidence };
    const simple = (qa: QaAnswer): Answer => ({ ...base, ...qa });
    // "哪几条写了明确的金额": which measures pay what, whatever the model or the topic before makes of it.
    if (asksWhichPay(parse)) return { ...simple(amountListAnswer(ctx)), intent: 'measures.list' };
    switch (parse.intent) {
      case 'greeting':
        return simple({ reply: replies.render('greeting', { docTitle: doc.title }), measures: [] });
      case 'help':
        return simple({ reply: replies.render('help'), measures: [] });
      case 'thanks':
        return simple({ reply: replies.render('thanks'), measures: [] });
      case 'measures.list':
        return simple(listAnswer(ctx));
      // "技改那条政策还有效吗": the document's dates, for the measure the question names.
      case 'policy.validity':
        return simple({ ...validityAnswer(ctx), measures: parse.mentionedMeasures.slice(0, 1) });
      case 'policy.status':
        return simple({ ...statusAnswer(ctx), measures: parse.mentionedMeasures.slice(0, 1) });
      case FALLBACK:
        return simple({ reply: replies.render(parse.otherPlace ? 'otherPlace' : 'fallback', { docTitle: doc.title, status: doc.status }), measures: [] });
      case CLARIFY:
        return simple(clarifyAnswer(ctx, parse.alternatives!, nlu.intentLabels));
    }
    let measure = parse.measures[0];
    if (!measure && parse.needsMeasure && state.lastMeasures.length) measure = state.lastMeasures[0];
    if (!measure) {
      const candidates = Object.entries(parse.measureScores).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).map(([id]) => id);
      return simple(askWhichMeasure(ctx, nlu.intentLabels.get(parse.intent) ?? nlu.intentLabels.get('measure.content') ?? '', candidates));
    }
    const withFacts = measuresWithFacts(doc, parse);
    // "数字化评了一级有支持吗": facts the measure's rules use make a content question a conditions one.
    if (parse.intent === 'measure.content' && withFacts.includes(measure)) parse = { ...parse, intent: 'measure.conditions' };
    // "如果一年办四场，每场都达标呢": how often, asked with the figures that compute it, is an amount.
    // (Counted in the turn itself: subjects carried from the turns before leave "是一次性的吧" a question of how often.)
    const counts = parse.slots.numbers.filter((n) => n.kind === 'count').length;
    if (parse.intent === 'measure.frequency' && counts > 0 && withFacts.includes(measure)) parse = { ...parse, intent: 'measure.amount' };
    const rules = parse.intent === 'measure.amount' || parse.intent === 'measure.conditions';
    const lead = parse.intent === 'measure.amount' ? 'amountLead' : 'conditionsLead';
    if (rules && withFacts.length >= 2) return simple(severalMeasuresAnswer(ctx, withFacts, parse, lead));
    // "…首次省级专精特新 还组织了5家企业抱团参展 能拿多少": the measure asked about, and the level's own award beside it.
    // ("我们是小巨人 首次 省奖100万 还建了智能制造示范工厂 奖多少": a measure named beside it, by its words.)
    if (rules && withFacts.length === 1 && !withFacts.includes(measure) && (parse.levelOnly.includes(withFacts[0]) || parse.mentionedMeasures.includes(withFacts[0]))) {
      return simple(severalMeasuresAnswer(ctx, [measure, withFacts[0]], parse, lead));
    }
    // "专利和参展分别找哪个部门", "上市奖补找哪个局 技改补助呢": the same aspect of every measure named.
    const askedEach = nlu.lexicon.eachCues.some((w) => parse.text.includes(w)) || (parse.mentionedMeasures.length >= 2 && questionClauses(parse.text, nlu.lexicon.questionCues) >= 2);
    const each = askedEach ? parse.mentionedMeasures.filter((id) => doc.measure(id)).slice(0, 4) : [];
    // (Facts given make an amount or conditions question one of several measures' own cases, above.)
    // ("首次认定小巨人 省里给了一百万 还组织了5家企业抱团参展 两块分别多少": the measure with facts, and each other one named.)
    const besideFacts = each.filter((id) => !withFacts.some((w) => w === id || w.startsWith(id + '.') || id.startsWith(w + '.')));
    if (each.length >= 2 && (!withFacts.length || !rules || besideFacts.length)) {
      if (rules) return simple(severalMeasuresAnswer(ctx, withFacts.length ? [...withFacts, ...besideFacts] : each, parse, lead));
      const answers = each.map((id) => aspectAnswer(parse, id, ctx, withFacts));
      return simple({ reply: answers.map((a) => a.reply).join('\n\n'), measures: each });
    }
    return simple(aspectAnswer(parse, measure, ctx, withFacts));
  }

  /** One measure's answer to the aspect asked (content, units, how to apply…). */
  function aspectAnswer(parse: Parse, measure: string, ctx: AnswerContext, withFacts: readonly string[]): QaAnswer {
    const ownCaseToo = (answer: QaAnswer) => (withFacts.includes(measure) ? withOwnCase(ctx, answer, measure, parse) : answer);
    switch (parse.intent) {
      case 'measure.amount':
        return rulesAnswer(ctx, measure, parse, 'amountLead');
      case 'measure.conditions':
        return rulesAnswer(ctx, measure, parse, 'conditionsLead');
      case 'measure.frequency':
        return frequencyAnswer(ctx, measure, parse, withFacts.includes(measure));
      case 'measure.units':
        return ownCaseToo(unitsAnswer(ctx, measure, nlu.lexicon.recipientCues.some((w) => parse.text.includes(w))));
      case 'measure.apply':
        return ownCaseToo(applyAnswer(ctx, measure, parse));
      case 'measure.fulltext':
        return fullTextAnswer(ctx, measure);
      default:
        return contentAnswer(ctx, measure, parse);
    }
  }

  /** "哪几条是直接给钱的": asks which measures set an amount, and gives no case of its own. */
  function asksWhichPay(parse: Parse): boolean {
    // ("技改 数转 知识产权 三样 哪样有具体金额": measures named by the asker are answered each, not listed.)
    return parse.text.includes('哪') && nlu.lexicon.amountListCues.some((w) => parse.text.includes(w)) && !Object.keys(parse.slots.facts).length
      && !nlu.parse(parse.raw).mentionedMeasures.length;
  }

  return { handle };
}

const CLAUSE_BREAKS = /[,.;!?:，。；！？：\s]+/;

/** How many clauses of a message ask something ("小巨人配套多少 对接会奖多少" asks twice). */
function questionClauses(text: string, questionCues: readonly string[]): number {
  return text.split(CLAUSE_BREAKS).filter((c) => questionCues.some((w) => c.includes(w))).length;
}
