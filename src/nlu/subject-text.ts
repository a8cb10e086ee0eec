import type { FactValue } from '../../policy/index.js';

// What the readers of subjects share: the kinds and groups they return, how a count is marked,
// and where a clause or sentence of a question begins and ends.

/** Who an award rule counts: enterprises (家), events (场) or created clusters (个). */
export type SubjectKind = 'enterprise' | 'event' | 'cluster';

/**
 * Subjects that share their facts: "两家子公司都…" is one group of two, "有两场…还有一场…"
 * two groups. Facts are what the group's own words say, on top of what the whole question says.
 */
export interface SubjectGroup {
  kind: SubjectKind;
  count: number;
  /** The group's own words ("有一场只来了20家企业"); empty for the rest of a total. */
  text: string;
  facts: Record<string, FactValue>;
  /** Amounts in the group's words that no field claimed ("一家给了80万"). */
  looseYuan: number[];
  /** What the asker says of the group as a whole: "达标" (true), "没达标", "银行不足5家" (false). */
  verdict?: boolean;
}

export interface SegmentFacts {
  facts: Record<string, FactValue>;
  looseYuan: number[];
}

/** A number as people write it before a measure word: digits or Chinese numerals. */
export const NUM = '(\\d+|[一二两三四五六七八九十]+)';

// "只有一家是工信企业", "其中两场": some of a count, set apart.
export const ONLY = /只有|仅有|只是|仅|其中/;

/** A counted subject in a text: where its count is, and whether it names what it counts. */
export interface Marker {
  at: number;
  end: number;
  count: number;
  /** Names what is counted ("两家子公司"), as a total does. */
  named: boolean;
}

export const CLAUSE_BREAK = /[,.;!?:，。；！？：\s]/;
const SENTENCE_BREAK = /[.;!?。；！？]/;

/** Whether the character at i ends a clause: "1.2百万" has a decimal point, not a stop. */
function breaksAt(text: string, i: number, breaks: RegExp): boolean {
  if (!breaks.test(text[i])) return false;
  return !(text[i] === '.' && /\d/.test(text[i - 1] ?? '') && /\d/.test(text[i + 1] ?? ''));
}

/** The clause around a position: between the nearest breaks (commas, stops, spaces). */
export function clauseBounds(text: string, at: number): [number, number] {
  let s = at;
  while (s > 0 && !breaksAt(text, s - 1, CLAUSE_BREAK)) s--;
  let e = at;
  while (e < text.length && !breaksAt(text, e, CLAUSE_BREAK)) e++;
  return [s, e];
}

export function sentenceEnd(text: string, from: number): number {
  let e = from;
  while (e < text.length && !breaksAt(text, e, SENTENCE_BREAK)) e++;
  return e;
}

export function clauseAround(text: string, at: number): string {
  const [s, e] = clauseBounds(text, at);
  return text.slice(s, e);
}
