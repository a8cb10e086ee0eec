import type { FactValue } from '../../policy/index.js';
import { parseNumeral } from './numbers.js';

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
}

export interface SegmentFacts {
  facts: Record<string, FactValue>;
  looseYuan: number[];
}

const NUM = '(\\d+|[一二两三四五六七八九十]+)';
// A counted subject: the number, its measure word, and (for enterprises) what is counted.
const MARKERS: Record<SubjectKind, RegExp> = {
  enterprise: new RegExp(`${NUM}\\s*(?:家|间|个)(?!银行|金融|企业参|单位参)(?:[^\\s,，.。;；]{0,4}?(子公司|分公司|公司|厂子|工厂|厂|企业|单位))?`, 'g'),
  event: new RegExp(`${NUM}\\s*(?:场|次(?!性))`, 'g'),
  cluster: new RegExp(`${NUM}\\s*个(?=[^，,.。]{0,4}(?:国家级|省级|集群))`, 'g'),
};
const LEAD = /(其中|另外|另|还有|又有|有|剩下|剩余)$/;
const EVENT_STATS = /银行|金融机构|对接|参会|来了/;

interface Marker {
  at: number;
  end: number;
  count: number;
  /** Names what is counted ("两家子公司"), as a total does. */
  named: boolean;
}

function markersOf(text: string, kind: SubjectKind): Marker[] {
  const out: Marker[] = [];
  for (const m of text.matchAll(MARKERS[kind])) {
    const at = m.index;
    // "第二场…": one of the events counted, whatever its number.
    const count = text[at - 1] === '第' ? 1 : /^\d/.test(m[1]) ? Number(m[1]) : parseNumeral(m[1]);
    if (count === undefined || count < 1 || count > 50) continue;
    const clause = clauseAround(text, at);
    // "第一次评上", "一次" are how often, not events; "第一场" is one of the events counted.
    if (kind === 'event' && m[0].endsWith('次') && (text[at - 1] === '第' || count === 1)) continue;
    // "40家企业6家银行" are the attendance of an event, not enterprises asking.
    if (kind === 'enterprise' && (count >= 10 || (EVENT_STATS.test(clause) && m[2] === '企业'))) continue;
    out.push({ at, end: at + m[0].length, count, named: m[2] !== undefined });
  }
  return out;
}

function clauseAround(text: string, at: number): string {
  const split = /[,.;!?:，。；！？：\s]/;
  let s = at;
  while (s > 0 && !split.test(text[s - 1])) s--;
  let e = at;
  while (e < text.length && !split.test(text[e])) e++;
  return text.slice(s, e);
}

/**
 * The groups of one kind in a question. A first marker is the total when later markers split
 * it ("三场…有两场…还有一场"); parts that do not add up to the total leave a remainder group
 * with the question's shared facts only.
 */
export function subjectGroups(text: string, kind: SubjectKind, factsOf: (segment: string) => SegmentFacts): SubjectGroup[] {
  const markers = markersOf(text, kind);
  if (!markers.length) return [];
  const [first, ...rest] = markers;
  // "三场…有两场…还有一场": the first is the total; "一个国家级一个省级": every marker is a part.
  const isTotal = first.count > 1 && rest.length > 0 && rest.reduce((n, m) => n + m.count, 0) <= first.count;
  const parts = isTotal ? rest : markers.length > 1 ? markers : [];
  if (!parts.length) {
    // One count for everyone: "两家子公司都…", "办了两场，每场都…".
    if (first.count < 2) return [];
    if (kind === 'enterprise' && !first.named) return [];
    return [{ kind, count: first.count, text: '', facts: {}, looseYuan: [] }];
  }
  const groups: SubjectGroup[] = parts.map((m, i) => {
    // A part's words run from its marker (with "其中"/"还有" before it) to the next part.
    const lead = LEAD.exec(text.slice(Math.max(0, m.at - 2), m.at))?.[0] ?? '';
    const end = i + 1 < parts.length ? parts[i + 1].at - (LEAD.exec(text.slice(Math.max(0, parts[i + 1].at - 2), parts[i + 1].at))?.[0].length ?? 0) : text.length;
    const segment = text.slice(m.at - lead.length, end);
    return { kind, count: m.count, text: segment, ...factsOf(segment) };
  });
  const rest2 = isTotal ? first.count - parts.reduce((n, m) => n + m.count, 0) : 0;
  if (rest2 > 0) groups.push({ kind, count: rest2, text: '', facts: {}, looseYuan: [] });
  return groups;
}

/** The part of a question shared by all its groups: everything before the first part. */
export function sharedText(text: string, groups: readonly SubjectGroup[]): string {
  const firstPart = groups.find((g) => g.text);
  if (!firstPart) return text;
  return text.slice(0, text.indexOf(firstPart.text));
}
