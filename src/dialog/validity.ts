import { readYamlFile } from '../../policy/yaml-file.js';
import { z } from 'zod';
import {
  documentCitation, documentInForce, documentNamed, fillTemplate, formatChineseDate, validityOn, type PolicyDocument,
} from '../../policy/index.js';
import type { Answer, AwardView } from '../core/answer.js';
import type { Clock, DialogStateStore } from '../core/ports.js';
import { conversationKey, type Turn } from '../core/turn.js';
import { timeReference } from '../nlu/time-reference.js';
import { todayIn } from './answers.js';
import type { DialogEngine } from './engine.js';
import type { Replies } from './replies.js';
import type { ConversationState } from './state.js';

const KEYS = [
  'expiredLead', 'expiredBasis', 'supersededBasis', 'withinValidity', 'afterEndLead', 'afterEndSuccessor', 'afterEndBasis', 'citation', 'namedLead',
  'namedSuperseded', 'namedExpired', 'namedUpcoming', 'versionSwitched', 'referenceOnly', 'reminderAlert', 'reminderDraft',
  'reloadRefused', 'staffPolicyHeader', 'staffPolicyLine', 'staffPolicyInForce', 'staffStateActive', 'staffStateLastDay',
  'staffStateExpired', 'staffStateUpcoming', 'staffStateSuperseded',
] as const;
export type ValidityKey = (typeof KEYS)[number];
export interface ValidityTexts {
  render(key: ValidityKey, values?: Record<string, string | number>): string;
}

// "赶得上政策吗": words asking whether a date is in time for the document (only this layer reads them).
const ASKS_IN_TIME = /赶得上|赶得及|来得及|赶上|还在不在|还有效|还算|过期|到期|截止|失效/;

const TextsSchema = z.object(Object.fromEntries(KEYS.map((k) => [k, z.string().min(1)])) as Record<ValidityKey, z.ZodString>);

/** intents/validity-replies.yaml, validated like replies.yaml. */
export function loadValidityTexts(file: string): ValidityTexts {
  const parsed = TextsSchema.safeParse(readYamlFile(file));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `field "${i.path.join('.')}": ${i.message}`).join('; ')}`);
  const templates = parsed.data as Record<ValidityKey, string>;
  return { render: (key, values = {}) => fillTemplate(templates[key], values) };
}

/** Whom to ask about what follows a document: the units of the measures in the answer, else the issuer. */
export function contactsFor(doc: PolicyDocument, measures: readonly string[]): string {
  const units = [...new Set(measures.flatMap((m) => doc.unitsOf(m)))];
  return units.length ? units.join('、') : doc.issuer;
}

/** The first line of every answer drawn from an expired document; undefined while it is valid. */
export function expiredLead(texts: ValidityTexts, doc: PolicyDocument, today: string, measures: readonly string[] = []): string | undefined {
  const v = validityOn(doc, today);
  if (v.state !== 'expired') return undefined;
  return texts.render('expiredLead', {
    citation: documentCitation(doc), validUntil: formatChineseDate(doc.validUntil), daysAgo: -v.daysLeft, units: contactsFor(doc, measures),
  });
}

/** Awards of an expired document: nothing claimed as current. */
export function expireAwards(texts: ValidityTexts, awards: readonly AwardView[], key: 'expiredBasis' | 'supersededBasis' = 'expiredBasis'): AwardView[] {
  const note = texts.render(key);
  return awards.map((a) => ({ ...a, eligible: false, status: 'expired', basis: a.basis.startsWith(note) ? a.basis : `${note}${a.basis}` }));
}

/** The reply for /api/eligibility and other one-shot evaluations once the document has expired. */
export function referenceOnly(texts: ValidityTexts, doc: PolicyDocument, today: string, measures: readonly string[]) {
  const v = validityOn(doc, today);
  if (v.state !== 'expired') return undefined;
  return texts.render('referenceOnly', {
    citation: documentCitation(doc), validUntil: formatChineseDate(doc.validUntil), daysAgo: -v.daysLeft, units: contactsFor(doc, measures),
  });
}

/** A one-shot eligibility result as it may be shown today: reference only once the document expired. */
export function eligibilityAsOf(texts: ValidityTexts, doc: PolicyDocument, today: string, result: { reply: string; awards: AwardView[]; measures: string[] }) {
  const note = referenceOnly(texts, doc, today, result.measures);
  return note
    ? { reply: `${note}\n${result.reply}`, awards: expireAwards(texts, result.awards), referenceOnly: true }
    : { reply: result.reply, awards: result.awards, referenceOnly: false };
}

export interface ValidityEngineDeps {
  documents(): readonly PolicyDocument[];
  /** POLICY_DOCUMENT: answer from this one whatever the date. */
  pinned?: string;
  /** The dialog engine of one document over a state store (the shared one, or a one-off). */
  engineFor(doc: PolicyDocument, states: DialogStateStore<ConversationState>): DialogEngine;
  states: DialogStateStore<ConversationState>;
  replies: Replies;
  texts: ValidityTexts;
  clock: Clock;
}

/** A state store for one turn: a question about another document leaves the conversation as it was. */
class TurnStore implements DialogStateStore<ConversationState> {
  private readonly map = new Map<string, ConversationState>();
  get(key: string) { return this.map.get(key); }
  put(key: string, state: ConversationState) { this.map.set(key, state); }
  delete(key: string) { this.map.delete(key); }
}

/** Filler around a document's name that is not part of the question ("征求意见稿里是怎么说的"). */
const NAME_AFTER = /^(?:里面|里|中|上|的|版)/;
const ONLY_FILLER = /^[\s，,。？?！!]*(?:那|那么)?(?:是|又是)?(?:怎么|如何|咋)?(?:说|写|规定|讲)?(?:的)?(?:呢|吗|啊)?[\s，,。？?！!]*$/;

/**
 * The dialog, per turn, from the document in force on the city's date, with what the date means
 * for the answer: a document that expired says so first and its awards claim nothing; an event
 * the question puts after the end date gets the end date, no amount, and whom to ask; a question
 * naming another version ("征求意见稿里怎么说") is answered from that version; answers cite
 * the document and its 文号.
 */
export function createValidityEngine(deps: ValidityEngineDeps): DialogEngine {
  const { texts, states, clock } = deps;
  const engines = new WeakMap<PolicyDocument, DialogEngine>();
  const engineOf = (doc: PolicyDocument) => {
    let e = engines.get(doc);
    if (!e) engines.set(doc, (e = deps.engineFor(doc, states)));
    return e;
  };
  const computedLead = deps.replies.render('computedLead');

  function handle(turn: Turn): Answer {
    const now = clock.now();
    const today = todayIn(now);
    const docs = deps.documents();
    const current = documentInForce(docs, today, deps.pinned);
    const named = deps.pinned ? undefined : documentNamed(docs, current, turn.text);
    if (named) return namedAnswer(turn, named.doc, named.words, today, now);
    const answer = engineOf(current).handle(turn);
    return decorate(answer, current, today, turn.text, docs);
  }

  /** A question about a version other than the one in force: answered from it, the conversation untouched. */
  function namedAnswer(turn: Turn, doc: PolicyDocument, words: string, today: string, now: number): Answer {
    const key = conversationKey(turn);
    const shared = states.get(key);
    const lastMeasures = (shared?.lastMeasures ?? []).filter((m) => doc.measure(m));
    const store = new TurnStore();
    store.put(key, { version: doc.versionTag, updatedAt: now, lastMeasures });
    let text = stripName(turn.text, words);
    if (ONLY_FILLER.test(text) && lastMeasures.length) {
      const m = doc.measure(lastMeasures[0])!;
      text = doc.rulesFor(m.id).length ? `${m.title}奖励多少` : `${m.title}是什么内容`;
    }
    const answer = deps.engineFor(doc, store).handle({ ...turn, text: text || turn.text });
    const v = validityOn(doc, today);
    const successor = deps.documents().find((d) => d.supersedes === doc.id && d.validFrom <= today);
    const note = successor
      ? texts.render('namedSuperseded', { successor: documentCitation(successor) })
      : v.state === 'expired' ? texts.render('namedExpired', { validUntil: formatChineseDate(doc.validUntil) })
        : v.state === 'upcoming' ? texts.render('namedUpcoming', { validFrom: formatChineseDate(doc.validFrom) }) : '';
    const lead = texts.render('namedLead', { citation: documentCitation(doc), note });
    const awards = answer.awards && (successor || v.state !== 'active')
      ? expireAwards(texts, answer.awards, successor && v.state !== 'expired' ? 'supersededBasis' : 'expiredBasis')
      : answer.awards;
    return { ...answer, reply: `${lead}\n${answer.reply}`, ...(awards ? { awards } : {}) };
  }

  function decorate(answer: Answer, doc: PolicyDocument, today: string, text: string, all: readonly PolicyDocument[]): Answer {
    const drawn = answer.measures.length > 0 || !!answer.awards?.length;
    const expired = expiredLead(texts, doc, today, answer.measures);
    if (expired) {
      if (answer.intent === 'policy.validity') return answer;
      return {
        ...answer,
        reply: [expired, answer.reply, drawn ? citation(doc) : ''].filter(Boolean).join('\n'),
        ...(answer.awards ? { awards: expireAwards(texts, answer.awards) } : {}),
      };
    }
    const ref = drawn ? timeReference(text, today) : null;
    // ("12月那场…明年1月那场": the answer set the later part aside itself.)
    if (ref && ref.from > doc.validUntil && !answer.datedParts) {
      const later = documentInForce(all, ref.from);
      const successor = later !== doc && validityOn(later, ref.from).state === 'active' ? later : undefined;
      const lead = [
        texts.render('afterEndLead', {
          words: ref.words, from: formatChineseDate(ref.from), citation: documentCitation(doc),
          validUntil: formatChineseDate(doc.validUntil), units: contactsFor(doc, answer.measures),
        }),
        successor ? texts.render('afterEndSuccessor', { citation: documentCitation(successor), validFrom: formatChineseDate(successor.validFrom) }) : '',
      ].filter(Boolean).join('');
      const body = answer.reply.split('\n').filter((l) => !l.trimStart().startsWith(computedLead)).join('\n');
      const basis = texts.render('afterEndBasis', { words: ref.words });
      const awards = answer.awards?.map((a): AwardView => ({ measure: a.measure, title: a.title, eligible: false, yuan: null, status: 'expired', basis }));
      return { ...answer, reply: [lead, body, citation(doc)].join('\n'), ...(awards ? { awards } : {}) };
    }
    const inDialog = answer.dialog && !answer.dialog.done;
    // "定的2026年12月20号…赶得上政策吗": a date inside the document's term, asked whether it is in time.
    const inTime = ref && ASKS_IN_TIME.test(text)
      ? texts.render('withinValidity', { words: ref.words, citation: documentCitation(doc), validUntil: formatChineseDate(doc.validUntil) })
      : '';
    if (drawn && !inDialog) return { ...answer, reply: [answer.reply, inTime, citation(doc)].filter(Boolean).join('\n') };
    return answer;
  }

  const citation = (doc: PolicyDocument) => texts.render('citation', { citation: documentCitation(doc) });

  return { handle };
}

/** The question without the words that named the document and the particles around them. */
function stripName(text: string, words: string): string {
  const i = text.indexOf(words);
  if (i < 0) return text;
  let before = text.slice(0, i);
  let after = text.slice(i + words.length);
  const beforeFiller = /(?:那|那么|请问)?(?:在|按|按照|根据)?$/.exec(before);
  if (beforeFiller) before = before.slice(0, before.length - beforeFiller[0].length);
  after = after.replace(NAME_AFTER, '');
  return (before + after).trim();
}
